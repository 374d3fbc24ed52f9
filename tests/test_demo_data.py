"""The demo's sample data directory."""

from failover_site.demo_data import fill_sample


def test_the_sample_is_a_few_hundred_files_and_megabytes_in_nested_folders(tmp_path):
    data = tmp_path / "data"
    count = fill_sample(data)
    files = [p for p in data.rglob("*") if p.is_file()]
    assert 200 <= count == len(files) <= 1000
    assert 2 * 2**20 <= sum(p.stat().st_size for p in files) <= 20 * 2**20
    assert max(len(p.relative_to(data).parts) for p in files) >= 3


def test_a_data_directory_that_holds_something_is_left_alone(tmp_path):
    (tmp_path / "mine.txt").write_text("keep")
    assert fill_sample(tmp_path) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
