"""The shipped curriculum/default_curriculum.yaml: it loads, and it holds what the primary source
("AI Developer vs AI Engineer") lists for both paths."""

import pytest
from django.core.management import call_command

from curriculum.curriculum_file import DEFAULT_FILE
from curriculum.graph import find_cycle
from curriculum.models import (
    CareerGoal,
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
    ProjectCompetency,
)
from curriculum.services import curriculum_import

pytestmark = pytest.mark.django_db

AI_DEVELOPER_SKILLS = {
    "Prompt design and workflow logic",
    "LLM API integration",
    "RAG application building",
    "AI feature development in web apps",
    "Rapid prototyping and iteration",
    "Portfolio-oriented product thinking",
}
AI_DEVELOPER_TOOLS = {
    "Python",
    "FastAPI or backend APIs",
    "LangChain or similar orchestration helpers",
    "Vector databases",
    "LLM provider APIs",
    "Frontend frameworks for AI product UX",
}
AI_ENGINEER_SKILLS = {
    "Model and service orchestration",
    "Evaluation and quality benchmarking",
    "Inference pipeline design",
    "Monitoring, tracing, and reliability thinking",
    "Deployment patterns for AI systems",
    "Architecture decisions under scale and latency constraints",
}
AI_ENGINEER_TOOLS = {
    "Serving and inference infrastructure",
    "Evaluation frameworks",
    "Observability and tracing tools",
    "Workflow orchestration platforms",
    "Container and cloud deployment tooling",
    "Monitoring stacks for AI system health",
}
AI_DEVELOPER_PROJECTS = {
    "AI study assistant for students",
    "Document question-answering app with retrieval",
    "Customer support copilot with workflow routing",
    "Prompt-driven internal automation tool",
    "Portfolio-ready AI feature inside a SaaS-style app",
}
AI_ENGINEER_PROJECTS = {
    "Production RAG pipeline with evaluation checkpoints",
    "Agent system with observability and failure handling",
    "Model serving workflow with latency-aware architecture",
    "LLM evaluation dashboard for prompt and model changes",
    "Scalable AI backend with tracing, monitoring, and rollback strategy",
}
# ai-engineer-vs-software-engineer.txt, "Essential AI Engineer Skills"
AI_ENGINEER_ESSENTIALS = {
    "python",
    "sql",
    "ml-concepts",
    "llms-generative-ai",
    "deep-learning-frameworks",
    "prompt-design",
    "evaluation-benchmarking",
    "rag-applications",
    "vector-databases",
    "data-preparation",
    "backend-apis",
    "cloud-ai-platforms",
    "mlops",
    "monitoring-reliability",
    "ai-deployment-patterns",
    "ai-security-responsible-ai",
}


@pytest.fixture
def loaded():
    curriculum_import(data_text=DEFAULT_FILE.read_text(), source_name=DEFAULT_FILE.name)


def _path_competencies(slug, kind=None):
    rows = PathCompetency.objects.current().filter(path__slug=slug)
    if kind:
        rows = rows.filter(competency__kind=kind)
    return set(rows.values_list("competency__name", flat=True))


def test_shipped_file_loads_through_the_command(capsys):
    call_command("import_curriculum", str(DEFAULT_FILE))

    assert "created" in capsys.readouterr().out
    assert set(Path.objects.values_list("slug", flat=True)) == {
        "ai-developer",
        "ai-engineer",
        "ml-engineer",
        "software-engineer",
    }


def test_ai_developer_has_the_six_skills_and_six_tools_of_the_source(loaded):
    assert AI_DEVELOPER_SKILLS <= _path_competencies("ai-developer", Competency.Kind.SKILL)
    # The source's six tools, plus the current topics added on top (issue 13).
    assert _path_competencies("ai-developer", Competency.Kind.TOOL) == AI_DEVELOPER_TOOLS | {
        "Open and local models"
    }


def test_ai_engineer_has_the_six_skills_and_six_tools_of_the_source(loaded):
    assert AI_ENGINEER_SKILLS <= _path_competencies("ai-engineer", Competency.Kind.SKILL)
    assert AI_ENGINEER_TOOLS <= _path_competencies("ai-engineer", Competency.Kind.TOOL)


def test_ai_engineer_covers_the_longer_essentials_list(loaded):
    slugs = set(
        PathCompetency.objects.filter(path__slug="ai-engineer").values_list(
            "competency__slug", flat=True
        )
    )
    assert AI_ENGINEER_ESSENTIALS <= slugs


def test_overlapping_competencies_are_one_row_shared_by_both_paths(loaded):
    for slug in ("python", "vector-databases", "llm-api-integration", "rag-applications"):
        paths = set(
            PathCompetency.objects.filter(competency__slug=slug).values_list(
                "path__slug", flat=True
            )
        )
        assert {"ai-developer", "ai-engineer"} <= paths, slug
    assert Competency.objects.filter(name="Python").count() == 1


def test_engineer_targets_are_higher_on_evaluation_deployment_and_monitoring(loaded):
    def target(path, slug):
        return PathCompetency.objects.get(path__slug=path, competency__slug=slug).target_level

    for slug in ("evaluation-benchmarking", "ai-deployment-patterns", "ai-security-responsible-ai"):
        assert target("ai-engineer", slug) > target("ai-developer", slug), slug
    # Targets stop at 3: level 4 as worded needs a team or users relying on the learner's work.
    assert target("ai-engineer", "monitoring-reliability") == 3
    assert not PathCompetency.objects.filter(target_level=4).exists()


def test_the_sources_five_projects_per_primary_path_with_checkpoints(loaded):
    for path, names in (
        ("ai-developer", AI_DEVELOPER_PROJECTS),
        ("ai-engineer", AI_ENGINEER_PROJECTS),
    ):
        projects = Project.objects.filter(path__slug=path)
        # The source's five, plus the projects for the current topics (two and one).
        assert names <= set(projects.values_list("name", flat=True))
        assert projects.count() == len(names) + (2 if path == "ai-developer" else 1)
        for project in projects:
            assert 3 <= project.checkpoints.count() <= 6, project
            assert project.builds.exists(), project


def test_every_level_of_every_primary_path_competency_has_a_descriptor(loaded):
    competencies = Competency.objects.filter(
        path_competencies__path__slug__in=["ai-developer", "ai-engineer"]
    ).distinct()
    assert competencies.count() >= 24
    for competency in competencies:
        levels = set(
            LevelDescriptor.objects.filter(competency=competency).values_list("level", flat=True)
        )
        assert levels == {0, 1, 2, 3, 4}, competency.slug
        assert competency.summary


def test_projects_build_only_their_own_paths_competencies_and_have_no_cycle(loaded):
    for build in ProjectCompetency.objects.select_related("project"):
        assert PathCompetency.objects.filter(
            path_id=build.project.path_id, competency_id=build.competency_id
        ).exists(), build
    edges = [
        (p.slug, q.slug)
        for p in Project.objects.prefetch_related("prerequisites")
        for q in p.prerequisites.all()
    ]
    assert find_cycle(edges) is None
    evaluation = Project.objects.get(slug="llm-evaluation-dashboard")
    assert evaluation.prerequisites.filter(slug="production-rag-pipeline").exists()


def test_every_target_on_a_primary_path_is_reachable_through_its_projects(loaded):
    """The roadmap can only close a gap some project builds up to the target."""
    for path in ("ai-developer", "ai-engineer"):
        built = {}
        for build in ProjectCompetency.objects.filter(project__path__slug=path):
            built[build.competency_id] = max(
                built.get(build.competency_id, 0), build.builds_to_level
            )
        for pc in PathCompetency.objects.filter(path__slug=path).select_related("competency"):
            assert built.get(pc.competency_id, 0) >= pc.target_level, (path, pc.competency.slug)


def test_career_goals_follow_the_sources_advice(loaded):
    goals = dict(CareerGoal.objects.values_list("slug", "recommended_path__slug"))
    assert goals == {
        "first-ai-portfolio": "ai-developer",
        "developer-moving-into-ai": "ai-developer",
        "own-reliable-ai-systems": "ai-engineer",
        "undecided": "ai-developer",
        # Goals leading to the other paths, and the software-engineer-to-AI-engineer move.
        "software-engineer-to-ai-engineer": "ai-engineer",
        "train-models-from-data": "ml-engineer",
        "build-the-product": "software-engineer",
    }


def test_paths_share_the_same_comparison_aspects(loaded):
    aspects = {
        path.slug: [t.aspect for t in path.traits.all()]
        for path in Path.objects.prefetch_related("traits")
    }
    assert aspects["ai-developer"] == aspects["ai-engineer"]
    assert "Deployment responsibility" in aspects["ai-developer"]
    assert all(a == aspects["ai-developer"] for a in aspects.values())
