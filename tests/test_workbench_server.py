"""The workbench's server (lrsrules workbench): every endpoint, through Starlette's client.

Each test runs on a copy of the bundled packs in a temporary folder, with the example
learners file beside them as the workspace's sample.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the workbench extra is not installed")
pytest.importorskip("httpx", reason="Starlette's test client needs httpx (the test extra)")

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2; httpx serves every version this extra allows.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from typer.testing import CliRunner

from lrsrules.cli.app import app as cli_app
from lrsrules.limits import MAX_WORKBENCH_UPLOAD_BYTES
from lrsrules.workbench.app import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
PACK = "lrs-cdd/lrs-cdd.yaml"
RULE = "CDD.GIVENNAME.01"
PAGES = ["/", f"/rule?file={PACK}&id={RULE}", f"/edit?file={PACK}&id={RULE}",
         "/static/workbench.js"]
ACTIONS = ["/api/check", "/api/cases", "/api/diff", "/api/upload", "/api/try",
           "/api/explain", "/api/save"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    packs = tmp_path / "packs"
    shutil.copytree(ROOT / "rulepacks", packs, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "examples" / "learners.csv", packs / "learners.csv")
    (tmp_path / "secret.yaml").write_text("pack: secret\nversion: 1.0.0\nrules: []\n")
    return packs


@pytest.fixture
def client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(folder, TOKEN), base_url=BASE) as entered:
        entered.get(f"/static/workbench.css?token={TOKEN}")  # trades it for the cookie
        yield entered


def csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.app.state.csrf}  # type: ignore[attr-defined]


def edit(**values: str) -> dict[str, object]:
    return {"file": PACK, "rule": RULE, "values": values}


# --- the token, the host, the methods, CSRF ------------------------------------------------

@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_a_request_without_the_token_is_refused(folder: Path, path: str) -> None:
    with TestClient(create_app(folder, TOKEN), base_url=BASE) as anonymous:
        response = (anonymous.get(path) if path in PAGES else anonymous.post(path, json={}))
    assert response.status_code == 403, response.text
    assert "token" in response.text


def test_a_wrong_token_is_refused(folder: Path) -> None:
    with TestClient(create_app(folder, TOKEN), base_url=BASE) as anonymous:
        assert anonymous.get("/?token=guess").status_code == 403
        anonymous.cookies.set("lrsrules_workbench", "guess")
        assert anonymous.get("/").status_code == 403


def test_the_token_in_the_url_becomes_a_strict_httponly_cookie(folder: Path) -> None:
    with TestClient(create_app(folder, TOKEN), base_url=BASE) as fresh:
        response = fresh.get(f"/rule?file={PACK}&id={RULE}&token={TOKEN}",
                             follow_redirects=False)
        assert response.status_code == 303
        assert "token" not in response.headers["location"]
        assert response.headers["location"].startswith("/rule?file=")
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert fresh.get("/").status_code == 200  # the cookie alone now lets it in


def test_another_host_name_is_refused(client: TestClient) -> None:
    # A DNS-rebinding page reaches 127.0.0.1 under its own name.
    response = client.get("/", headers={"Host": "evil.example:8765"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ACTIONS)
def test_get_on_an_action_is_not_allowed(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 405


@pytest.mark.parametrize("path", ACTIONS)
def test_an_action_without_the_csrf_token_is_refused(client: TestClient, path: str) -> None:
    response = client.post(path, json=edit())
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_an_action_from_another_origin_is_refused(client: TestClient) -> None:
    headers = {**csrf(client), "Origin": "http://evil.example"}
    assert client.post("/api/check", json=edit(), headers=headers).status_code == 403
    headers = {**csrf(client), "Origin": BASE}
    assert client.post("/api/check", json=edit(), headers=headers).status_code == 200


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


# --- paths stay inside the folder ---------------------------------------------------------

@pytest.mark.parametrize("file", ["../secret.yaml", "/etc/passwd", "%2e%2e/secret.yaml",
                                  "lrs-cdd/../../secret.yaml"])
def test_a_pack_outside_the_folder_is_refused(client: TestClient, file: str) -> None:
    assert client.get(f"/rule?file={file}&id=X").status_code == 403
    response = client.post("/api/save", json={"file": file, "rule": "X", "values": {}},
                           headers=csrf(client))
    assert response.status_code == 403


def test_a_symlink_out_of_the_folder_is_refused(client: TestClient, folder: Path) -> None:
    (folder / "link.yaml").symlink_to(folder.parent / "secret.yaml")
    assert client.get("/rule?file=link.yaml&id=X").status_code == 403
    (folder / "out.csv").symlink_to(ROOT / "examples" / "learners.csv")
    response = client.post("/api/try", json={**edit(), "sample": "out.csv"},
                           headers=csrf(client))
    assert response.status_code == 403


def test_a_sample_outside_the_folder_is_refused(client: TestClient) -> None:
    body = {**edit(), "sample": "../../etc/passwd", "record": 1}
    for path in ("/api/try", "/api/explain"):
        assert client.post(path, json=body, headers=csrf(client)).status_code == 403


# --- the pages ----------------------------------------------------------------------------

def test_the_packs_page_lists_each_pack_with_its_rules_and_test_status(
        client: TestClient) -> None:
    page = client.get("/").text
    for name in ("lrs-cdd", "lrs-identity", "lrs-prohibited", "lrs-default"):
        assert f'data-pack="{name}"' in page
    assert "all 215 cases pass" in page or "cases pass" in page
    assert RULE in page


def test_the_rule_page_shows_its_fields_and_cases(client: TestClient) -> None:
    page = client.get(f"/rule?file={PACK}&id={RULE}").text
    assert "present(given_name)" in page
    assert "In words: given_name is given" in page  # the condition told in words
    assert "Given name is required" in page
    assert "LRS-XSD" in page  # its provenance
    assert "the LRS rejects the record" in page  # enforced_by, in words
    assert "status-passed" in page and "FAIL" not in page


def test_an_unknown_rule_is_a_clear_page_not_a_trace(client: TestClient) -> None:
    response = client.get(f"/rule?file={PACK}&id=NOPE")
    assert response.status_code == 400
    assert "defines no rule NOPE" in response.text


def test_the_editor_page_holds_the_rules_values(client: TestClient) -> None:
    page = client.get(f"/edit?file={PACK}&id={RULE}").text
    assert ">present(given_name)</textarea>" in page
    assert "learners.csv" in page  # a sample of the folder
    assert client.app.state.csrf in page  # type: ignore[attr-defined]


# --- the actions --------------------------------------------------------------------------

def test_check_places_an_error_at_its_field_and_character(client: TestClient) -> None:
    response = client.post("/api/check", json=edit(check="present(given_nme)"),
                           headers=csrf(client))
    issues = response.json()["issues"]
    assert issues[0]["field"] == "check"
    assert issues[0]["offset"] == len("present(")
    assert "did you mean 'given_name'" in issues[0]["message"]
    fixed = client.post("/api/check", json=edit(check="present(given_name)"),
                        headers=csrf(client)).json()["issues"]
    assert [i for i in fixed if i["severity"] == "error"] == []


def test_cases_run_on_the_unsaved_text(client: TestClient) -> None:
    good = client.post("/api/cases", json=edit(), headers=csrf(client)).json()
    assert good["results"] and all(r["passed"] for r in good["results"])
    broken = client.post("/api/cases", json=edit(check="len(given_name) > 100"),
                         headers=csrf(client)).json()
    assert any(not r["passed"] for r in broken["results"])
    whole = client.post("/api/cases", json={**edit(), "scope": "pack"},
                        headers=csrf(client)).json()
    assert whole["scope"] == "pack" and len(whole["results"]) > len(good["results"])


def test_diff_shows_the_changed_lines_and_aspects(client: TestClient) -> None:
    data = client.post("/api/diff", json=edit(check="len(given_name) > 1"),
                       headers=csrf(client)).json()
    assert "-    check: present(given_name)" in data["lines"]
    assert "+    check: len(given_name) > 1" in data["lines"]
    assert data["changes"] == [{"aspect": "check", "old": "present(given_name)",
                                "new": "len(given_name) > 1"}]


def test_try_shows_the_impact_with_values_masked(client: TestClient) -> None:
    body = {**edit(check="len(given_name) > 3"), "sample": "learners.csv"}
    data = client.post("/api/try", json=body, headers=csrf(client)).json()
    assert data["records"] == 9
    assert data["per_rule"] == [{"rule": RULE, "fails": 2, "passes": 1}]
    assert {f["value"] for f in data["findings"]} == {"(hidden)"}
    shown = client.post("/api/try", json={**body, "show_values": True},
                        headers=csrf(client)).json()
    assert "(hidden)" not in {f["value"] for f in shown["findings"]}


def test_an_uploaded_sample_is_used_and_removed_on_exit(folder: Path) -> None:
    app = create_app(folder, TOKEN)
    with TestClient(app, base_url=BASE) as client:
        client.get(f"/static/workbench.css?token={TOKEN}")
        content = (ROOT / "examples" / "learners.csv").read_bytes()
        response = client.post("/api/upload", content=content,
                               headers={**csrf(client), "X-File-Name": "mine.csv"})
        upload = response.json()["upload"]
        stored = app.state.uploads.path(upload)
        assert stored.exists() and not stored.is_relative_to(folder)
        data = client.post("/api/try", json={**edit(), "upload": upload},
                           headers=csrf(client)).json()
        assert data["records"] == 9
    assert not stored.exists()


def test_an_upload_over_the_limit_is_refused(client: TestClient) -> None:
    content = b"ULN\n" + b"1" * MAX_WORKBENCH_UPLOAD_BYTES
    response = client.post("/api/upload", content=content,
                           headers={**csrf(client), "X-File-Name": "big.csv"})
    assert response.status_code == 400
    assert "MAX_WORKBENCH_UPLOAD_BYTES" in response.json()["error"]


def test_explain_gives_the_verdict_with_values_masked(client: TestClient) -> None:
    body = {**edit(), "sample": "learners.csv", "record": 1}
    text = client.post("/api/explain", json=body, headers=csrf(client)).json()["text"]
    assert "field given_name: passes" in text
    assert "<text," in text


def test_save_changes_only_the_rules_lines(client: TestClient, folder: Path) -> None:
    path = folder / PACK
    before = path.read_text("utf-8")
    response = client.post("/api/save", json=edit(check="len(given_name) >= 1",
                                                  severity="warning"), headers=csrf(client))
    assert response.json() == {"saved": True, "errors": []}
    after = path.read_text("utf-8").splitlines()
    assert len(after) == len(before.splitlines())
    changed = [(old, new) for old, new in zip(before.splitlines(), after, strict=True)
               if old != new]
    assert changed == [("    severity: error", "    severity: warning"),
                       ("    check: present(given_name)", "    check: len(given_name) >= 1")]


def test_a_save_that_does_not_load_is_refused(client: TestClient, folder: Path) -> None:
    path = folder / PACK
    before = path.read_text("utf-8")
    data = client.post("/api/save", json=edit(check="present(given_name"),
                       headers=csrf(client)).json()
    assert data["saved"] is False and data["errors"][0]["field"] == "check"
    assert path.read_text("utf-8") == before


# --- the command --------------------------------------------------------------------------

def test_the_command_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = CliRunner().invoke(cli_app, ["workbench", str(ROOT / "rulepacks"),
                                          "--no-browser"])
    assert result.exit_code == 2, result.output
    assert "pip install 'lrsrules[workbench]'" in result.output


def test_no_personal_value_leaves_the_server_unless_show_values_is_ticked(
        client: TestClient) -> None:
    learner = "Zebedee,Quantock,9876543210,1987-06-05,ZQ9 9ZZ,zebedee.quantock@example.org"
    content = ("GivenName,FamilyName,ULN,DateOfBirth,LastKnownPostCode,EmailAddress\n"
               f"{learner}\n").encode()
    upload = client.post("/api/upload", content=content,
                         headers={**csrf(client), "X-File-Name": "people.csv"}).json()["upload"]
    personal = learner.split(",")
    for rule in ("CDD.ULN.02", "CDD.EMAIL.01", RULE):
        body = {"file": PACK, "rule": rule, "values": {}, "upload": upload, "record": 1}
        # An edit that makes the rule fire on everyone, so its findings carry the values.
        body["values"] = {"check": "false"}
        hidden = client.post("/api/try", json=body, headers=csrf(client)).text
        hidden += client.post("/api/explain", json=body, headers=csrf(client)).text
        assert [value for value in personal if value in hidden] == [], rule
        shown = client.post("/api/try", json={**body, "show_values": True},
                            headers=csrf(client)).text
        assert any(value in shown for value in personal), rule
