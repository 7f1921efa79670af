"""The three local stages end to end on the shipped sample data."""

from pathlib import Path


def test_make_run_stages_produce_candidates(pipeline_run, project: Path) -> None:
    pipeline_run()
    data = project / "data"
    assert (data / "scraped" / "lmarena_text_models.json").exists()
    assert (data / "estimated" / "estimated_models.json").exists()
    header = (data / "clean" / "above_1e25_flop.csv").read_text().splitlines()[0]
    assert header.startswith("model,developer,release_date,parameters,")
