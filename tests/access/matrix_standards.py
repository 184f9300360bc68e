"""Standards in and out: the CASE curriculum (public), Open Badges credentials, the JSON API."""

from tests.access.matrix import Entry


def _path_uuid(world):
    return {"identifier": world.path.case_uuid}


def _item_uuid(world):
    return {"identifier": world.path.path_competencies.first().competency.case_uuid}


def _public(kwargs=None) -> Entry:
    return Entry(expect={}, others=200, kwargs=kwargs)


ENTRIES = {
    "curriculum:case_documents": _public(),
    "curriculum:case_document": _public(_path_uuid),
    "curriculum:case_package": _public(_path_uuid),
    "curriculum:case_item": _public(_item_uuid),
}
