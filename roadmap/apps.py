from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Learner progress"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
