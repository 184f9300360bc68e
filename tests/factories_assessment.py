import factory

from curriculum.models import CareerGoal, Level, ScaleLevel
from tests.factories import PathFactory


class CareerGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerGoal

    slug = factory.Sequence(lambda n: f"goal-{n}")
    label = factory.Sequence(lambda n: f"Goal {n}")
    recommended_path = factory.SubFactory(PathFactory)
    reason = "Because it fits."


def scale_levels():
    """The five ScaleLevel rows with recognisable default descriptors."""
    return [
        ScaleLevel.objects.get_or_create(
            level=level, defaults={"name": label, "descriptor": f"Default meaning of {label}"}
        )[0]
        for level, label in Level.choices
    ]
