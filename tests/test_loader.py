"""Finding packs, resolving includes, reading list files and merging into one Pack."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lrsrules.errors import Location, PackError
from lrsrules.packs.discovery import bundled_dir, bundled_packs, find_pack, version_key
from lrsrules.packs.loader import DEFAULT_PACK, load_pack
from lrsrules.packs.model import ExprSource, Pack

PACKS = Path(__file__).parent / "packs"
RULE = "{id: %s, field: %s, severity: error, check: present(value), message: m}"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def pack_text(name: str, body: str = "", include: str = "") -> str:
    head = f"pack: {name}\nversion: 1.0.0\n"
    if include:
        head += f"include: [{include}]\n"
    return head + textwrap.dedent(body).lstrip("\n")


def failure(ref: str | Path) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(ref)
    return caught.value


def found(error: PackError) -> list[tuple[str, int | None, int | None, str]]:
    return [
        (Path(p.location.file or "").name, p.location.line, p.location.column, p.message)
        for p in error.problems
    ]


# The example pack -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Pack:
    return load_pack(PACKS / "example" / "example.yaml")


def test_the_example_pack_keeps_its_header(example: Pack) -> None:
    assert (example.name, example.version, example.title) == ("example", "1.0.0", "Example rules")
    assert example.description == "A pack for the loader tests."
    assert example.path == str(PACKS / "example" / "example.yaml")
    assert example.includes == ()


def test_fields_keep_definition_order_aliases_and_location(example: Pack) -> None:
    assert list(example.fields) == ["name", "kind", "note"]
    name = example.fields["name"]
    assert (name.aliases, name.description) == (("Name", "Full Name"), "Learner name")
    assert (name.location.line, name.location.column) == (7, 3)
    assert example.fields["note"].aliases == ()


def test_inline_list_entries_are_their_raw_yaml_text(example: Pack) -> None:
    assert example.lists["banned_words"].entries == ("test", "unknown", "not known")
    assert example.lists["codes"].entries == ("0", "01", "true", "1.50")
    assert example.lists["codes"].file is None


def test_list_files_are_trimmed_without_blanks_comments_or_bom(example: Pack) -> None:
    genuine = example.lists["genuine_names"]
    assert genuine.entries == (
        "WOLFESCHLEGELSTEINHAUSENBERGERDORFF",
        "KEIHANAIKUKAUAKAHIHULIHEEKAHAUNAELE",
        "AN OTHER",
    )
    assert genuine.file == str(PACKS / "example" / "lists" / "genuine-names.txt")


def test_rules_carry_expressions_mapped_into_the_yaml_file(example: Pack) -> None:
    first, second = example.rules
    assert first.id == "EX.NAME.01"
    assert (first.fields, first.severity, first.pack) == (("name",), "error", "example")
    assert first.check.text == "len(name) <= 35"
    assert first.check.location(0) == Location(example.path, 19, 12)
    assert first.when is not None and first.when.location(0) == Location(example.path, 18, 11)
    assert first.unless is not None and first.unless.text == "upper(name) in @genuine_names"
    assert first.location == Location(example.path, 15, 9)
    assert first.doc == "Longer explanation for governance staff."
    assert first.provenance == "provisional, until the length is confirmed"
    assert first.tags == ("names",)
    assert second.fields == ("kind", "note")
    assert second.multi_field
    assert (second.check.text, second.when, second.unless) == ("true", None, None)
    assert isinstance(second.check, ExprSource)


def test_files_are_the_pack_file_and_its_list_files_sorted(example: Pack) -> None:
    folder = (PACKS / "example").resolve()
    assert example.files == (
        str(folder / "example.yaml"),
        str(folder / "lists" / "genuine-names.txt"),
    )
    assert len(example.sha256) == 64


# Includes ------------------------------------------------------------------------------------


def test_nested_includes_come_first_and_relative_paths_follow_the_including_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # relative include paths must not depend on the cwd
    pack = load_pack(PACKS / "nested" / "outer.yaml")
    assert pack.includes == ("nested-leaf", "nested-inner")
    assert list(pack.fields) == ["leaf_field", "inner_field", "outer_field"]
    assert [rule.id for rule in pack.rules] == ["NEST.LEAF.01", "NEST.INNER.01", "NEST.OUTER.01"]
    assert [rule.pack for rule in pack.rules] == ["nested-leaf", "nested-inner", "nested-outer"]
    assert len(pack.files) == 3


def test_a_diamond_loads_the_shared_pack_once(tmp_path: Path) -> None:
    pack = load_pack(PACKS / "diamond" / "top.yaml")
    assert pack.includes == ("diamond-base", "diamond-left", "diamond-right")
    assert [rule.id for rule in pack.rules] == [
        "DIA.BASE.01",
        "DIA.LEFT.01",
        "DIA.RIGHT.01",
        "DIA.TOP.01",
    ]
    assert list(pack.fields) == ["name"]  # right.yaml repeats it identically
    assert len(pack.files) == 4


def test_an_include_cycle_is_reported_at_the_entry_that_closes_it() -> None:
    error = failure(PACKS / "cycle" / "a.yaml")
    assert found(error) == [
        ("c.yaml", 3, 11, "include cycle: cycle-a -> cycle-b -> cycle-c -> cycle-a")
    ]


def test_a_pack_including_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, "self.yaml", pack_text("me", include="self.yaml"))
    assert found(failure(path)) == [("self.yaml", 3, 11, "include cycle: me -> me")]


def test_an_unknown_include_is_reported_at_its_entry_naming_the_bundled_packs(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "p.yaml", pack_text("p", include="lrs-defualt, missing/x.yaml"))
    error = failure(path)
    assert found(error) == [
        (
            "p.yaml",
            3,
            11,
            "no bundled pack named 'lrs-defualt', and no file or folder of that name",
        ),
        ("p.yaml", 3, 24, f"no pack file or folder at {tmp_path / 'missing' / 'x.yaml'}"),
    ]
    assert "lrs-default" in (error.problems[0].hint or "")


def test_a_bundled_pack_can_be_included_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", pack_text("p", include=DEFAULT_PACK))
    pack = load_pack(path)
    assert DEFAULT_PACK in pack.includes
    assert pack.rules == load_pack().rules


def test_problems_in_an_included_file_point_into_that_file(tmp_path: Path) -> None:
    write(tmp_path, "child.yaml", "pack: child\nversion: 1.0.0\nrules: [\n")
    write(tmp_path, "other.yaml", "pack: other\nversion: 1.0\n")
    path = write(tmp_path, "p.yaml", pack_text("p", include="child.yaml, other.yaml"))
    error = failure(path)
    assert [(name, line) for name, line, _, _ in found(error)] == [
        ("child.yaml", 4),
        ("other.yaml", 2),
    ]
    assert error.problems[0].message.startswith("could not parse YAML")
    assert error.problems[1].message.startswith("version must be a semantic version")


def test_the_same_pack_name_from_two_files_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a/x.yaml", pack_text("x"))
    write(tmp_path, "b/x.yaml", pack_text("x"))
    path = write(tmp_path, "p.yaml", pack_text("p", include="a/x.yaml, b/x.yaml"))
    ((name, line, column, message),) = found(failure(path))
    assert (name, line, column) == ("p.yaml", 3, 21)
    assert message.startswith("pack x is reached from two files: ")


# Conflicts and references --------------------------------------------------------------------


def test_a_duplicate_rule_id_within_a_pack_names_the_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        pack_text(
            "p",
            f"""
            fields: {{name: {{}}}}
            rules:
              - {RULE % ("P.A.1", "name")}
              - {RULE % ("P.A.1", "name")}
            """,
        ),
    )
    assert found(failure(path)) == [
        ("p.yaml", 6, 10, f"duplicate rule id P.A.1 (first defined at {path}:5:10)")
    ]


def test_a_duplicate_rule_id_across_includes_is_reported_in_the_including_pack(
    tmp_path: Path,
) -> None:
    child = write(
        tmp_path,
        "child.yaml",
        pack_text("child", f"fields: {{name: {{}}}}\nrules: [{RULE % ('P.A.1', 'name')}]\n"),
    )
    path = write(
        tmp_path, "p.yaml", pack_text("p", f"rules: [{RULE % ('P.A.1', 'name')}]\n", "child.yaml")
    )
    assert found(failure(path)) == [
        ("p.yaml", 4, 14, f"duplicate rule id P.A.1 (first defined at {child}:4:14)")
    ]


def test_conflicting_field_and_list_definitions_are_reported_identical_ones_are_fine(
    tmp_path: Path,
) -> None:
    shared = """
        fields:
          same: {aliases: [Same]}
          name: {aliases: [Name]}
        lists:
          same_list: [a, b]
          words: [a, b]
        """
    write(tmp_path, "child.yaml", pack_text("child", shared))
    mine = """
        fields:
          same: {aliases: [Same]}
          name: {aliases: [Name, Nom]}
        lists:
          same_list: [a, b]
          words: [a, c]
        """
    path = write(tmp_path, "p.yaml", pack_text("p", mine, "child.yaml"))
    child = tmp_path / "child.yaml"
    assert found(failure(path)) == [
        ("p.yaml", 6, 3, f"field name is already defined differently at {child}:5:3"),
        ("p.yaml", 9, 3, f"list words is already defined with other entries at {child}:8:3"),
    ]


def test_headings_of_two_fields_must_not_match_after_normalising(tmp_path: Path) -> None:
    body = """
        fields:
          full_name: {}
          name: {aliases: [Name, "Full Name"]}
          given: {aliases: [First-Name, first name]}
          first_name: {}
        """
    error = failure(write(tmp_path, "p.yaml", pack_text("p", body)))
    assert found(error) == [
        ("p.yaml", 5, 26, "heading 'Full Name' of field name also matches field full_name"),
        (
            "p.yaml",
            7,
            3,
            "heading 'first_name' of field first_name also matches field given"
            " (its heading 'First-Name')",
        ),
    ]


def test_a_rule_naming_an_unknown_field_gets_a_suggestion(tmp_path: Path) -> None:
    body = f"""
        fields: {{name: {{}}, kind: {{}}}}
        rules:
          - {RULE % ("P.A.1", "nmae")}
          - {RULE % ("P.A.2", "[kind, colour]")}
        """
    error = failure(write(tmp_path, "p.yaml", pack_text("p", body)))
    assert found(error) == [
        ("p.yaml", 5, 24, "unknown field 'nmae'; did you mean 'name'?"),
        ("p.yaml", 6, 31, "unknown field 'colour'"),
    ]
    assert error.problems[1].hint == "fields defined: name, kind"


def test_reserved_field_names_are_rejected(tmp_path: Path) -> None:
    body = "fields:\n  value: {}\n  field_name: {}\n"
    error = failure(write(tmp_path, "p.yaml", pack_text("p", body)))
    assert [(line, message.split(":")[0]) for _, line, _, message in found(error)] == [
        (4, "field name 'value' is reserved"),
        (5, "field name 'field_name' is reserved"),
    ]


def test_every_problem_across_files_is_raised_together(tmp_path: Path) -> None:
    write(tmp_path, "child.yaml", pack_text("child", "rules:\n  - {id: X.1}\n"))
    body = f"""
        fields: {{name: {{}}}}
        lists: {{words: {{file: words.txt}}}}
        rules: [{RULE % ("P.A.1", "nmae")}]
        """
    error = failure(write(tmp_path, "p.yaml", pack_text("p", body, "child.yaml")))
    assert len(error.problems) == 5  # child: 4 missing keys; p: the list file
    assert str(error).count("p.yaml:5:") == 1
    assert "list file not found" in str(error)


# List files ----------------------------------------------------------------------------------


def test_a_missing_list_file_is_reported_at_its_file_value(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", pack_text("p", "lists:\n  words: {file: lists/words.txt}\n"))
    assert found(failure(path)) == [
        ("p.yaml", 4, 17, "list file not found: lists/words.txt")
    ]


def test_a_list_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_bytes("Ann\nZoë\n".encode("latin-1"))
    path = write(tmp_path, "p.yaml", pack_text("p", "lists:\n  words: {file: words.txt}\n"))
    ((_, line, column, message),) = found(failure(path))
    assert (line, column) == (4, 17)
    assert message.endswith("words.txt is not UTF-8 text (line 2)")


def test_the_hash_changes_with_a_list_file_but_not_with_the_folder(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        write(tmp_path, f"{folder}/words.txt", "alpha\nbeta\n")
        write(tmp_path, f"{folder}/p.yaml", pack_text("p", "lists: {words: {file: words.txt}}\n"))
    first = load_pack(tmp_path / "one" / "p.yaml")
    assert load_pack(tmp_path / "two" / "p.yaml").sha256 == first.sha256
    assert load_pack(tmp_path / "one" / "p.yaml").sha256 == first.sha256
    write(tmp_path, "one/words.txt", "alpha\nbeta\ngamma\n")
    changed = load_pack(tmp_path / "one" / "p.yaml")
    assert changed.lists["words"].entries == ("alpha", "beta", "gamma")
    assert changed.sha256 != first.sha256


# Finding packs -------------------------------------------------------------------------------


def test_a_folder_gives_its_highest_version_ignoring_other_packs_and_subfolders() -> None:
    assert find_pack(PACKS / "versions").name == "versions-1.10.0.yaml"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("versions@1.2", "versions-1.2.0.yaml"),
        ("versions@1.10.0-rc.1", "versions-1.10.0-rc.1.yaml"),
        ("versions@0", "versions-0.9.0.yaml"),
        ("versions", "versions-1.10.0.yaml"),
    ],
)
def test_a_version_selector_picks_an_exact_version_or_the_highest_with_a_prefix(
    ref: str, expected: str
) -> None:
    assert find_pack(ref, base_dir=PACKS).name == expected


def test_a_selector_matching_no_version_lists_those_available() -> None:
    with pytest.raises(PackError, match=r"pack versions has no version 3\.1") as caught:
        find_pack(PACKS / "versions@3.1")
    assert caught.value.problems[0].hint == (
        "versions available: 0.9.0, 1.2.0, 1.10.0-rc.1, 1.10.0"
    )


def test_semantic_versions_sort_numerically_with_prereleases_first() -> None:
    versions = ["1.10.0", "1.2.0", "1.10.0-rc.1", "1.10.0-alpha", "1.10.0-rc.10", "1.10.0-rc.2"]
    assert sorted(versions, key=version_key) == [
        "1.2.0",
        "1.10.0-alpha",
        "1.10.0-rc.1",
        "1.10.0-rc.2",
        "1.10.0-rc.10",
        "1.10.0",
    ]


def test_a_folder_holding_two_packs_asks_for_the_file(tmp_path: Path) -> None:
    write(tmp_path, "mixed/a.yaml", pack_text("a"))
    write(tmp_path, "mixed/b.yaml", pack_text("b"))
    with pytest.raises(PackError, match=r"holds several packs \(a, b\)"):
        find_pack(tmp_path / "mixed")


def test_the_default_pack_is_bundled_and_found_by_name() -> None:
    assert DEFAULT_PACK in bundled_packs()
    path = find_pack(DEFAULT_PACK)
    assert path.parent == bundled_dir() / DEFAULT_PACK
    pack = load_pack()
    assert pack.name == DEFAULT_PACK
    assert pack.path == str(path)
    assert find_pack(f"{DEFAULT_PACK}@{pack.version}") == path
    assert any(rule.id == "CDD.GIVENNAME.01" for rule in pack.rules)


def test_an_unknown_pack_name_names_the_bundled_packs() -> None:
    with pytest.raises(PackError) as caught:
        load_pack("no-such-pack")
    problem = caught.value.problems[0]
    assert (
        problem.message
        == "no bundled pack named 'no-such-pack', and no file or folder of that name"
    )
    assert problem.hint is not None and DEFAULT_PACK in problem.hint


def test_a_bad_version_selector_is_a_pack_error() -> None:
    with pytest.raises(PackError, match="'latest' is not a version"):
        find_pack(f"{DEFAULT_PACK}@latest")


def test_loading_never_modifies_the_pack_files(tmp_path: Path) -> None:
    before = {path: path.read_bytes() for path in PACKS.rglob("*") if path.is_file()}
    load_pack(PACKS / "example")
    load_pack(PACKS / "diamond" / "top.yaml")
    after = {path: path.read_bytes() for path in PACKS.rglob("*") if path.is_file()}
    assert before == after
