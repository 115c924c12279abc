"""Find rule packs: the pack file a reference names.

A pack reference is a path to a ``.yaml``/``.yml`` file, a path to a folder (its newest pack
file), or the name of a bundled pack, optionally ``name@1.2`` or ``name@1.2.3``. Versions
compare as semantic versions, a prerelease before its release.

A pack's files stay in its root folder: the folder of the pack file given by path, or the
folder above it when that folder is named after the pack (``college/college.yaml``), as
the bundled packs' folders are, so that packs kept side by side include each other as the
bundled ones do. Everything a pack reaches by path (includes, its base, list files, the
pack files of a folder) must resolve, symlinks followed, inside that root, and is refused
unread otherwise; a bundled pack reached by name has the bundled packs' folder as root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from lrsrules.errors import PackError
from lrsrules.packs.yamlsource import YamlDocument, load_yaml

# Folders of the bundled rulepacks that hold other data, not packs (batch file layouts).
NOT_PACKS = frozenset({"layouts"})
PACK_SUFFIXES = (".yaml", ".yml")
Read = Callable[[Path], YamlDocument]  # how pack files are read: load_yaml, or a run's reader

_NAME_REF = re.compile(r"^(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)(?:@(?P<version>.+))?$")
# ``@1`` or ``@1.2`` selects the highest matching version; ``@1.2.3(-pre)`` exactly that one.
_SELECTOR = re.compile(r"^\d+(?:\.\d+)?$|^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def bundled_dir() -> Path:
    """The folder of the bundled packs (the ``lrsrules.rulepacks`` package)."""
    return Path(str(resources.files("lrsrules.rulepacks")))


def bundled_packs() -> list[str]:
    """Names of the bundled packs: folders of ``bundled_dir()`` holding a pack file."""
    return sorted(
        folder.name
        for folder in bundled_dir().iterdir()
        if folder.is_dir() and _NAME_REF.match(folder.name) and _yaml_files(folder)
        and folder.name not in NOT_PACKS
    )


def pack_root(path: str | os.PathLike[str], name: object) -> Path:
    """The root folder of the pack file at ``path`` whose ``pack:`` is ``name`` (see above)."""
    folder = Path(os.path.abspath(path)).parent
    return folder.parent if folder.name == name else folder


def check_inside(path: str | os.PathLike[str], root: Path, written: str, what: str, *,
                 owner: str = "pack") -> None:
    """Raise a ``PackError`` unless ``path`` (``written`` so in the ``owner``'s file)
    resolves inside ``root``; ``what`` names the reference: "path", "list file"."""
    if Path(written).is_absolute():
        raise PackError(f"{what} {written} is an absolute path",
                        hint=f"write a path relative to the {owner} file, inside the"
                        f" {owner}'s folder {root}")
    if not Path(path).resolve().is_relative_to(root.resolve()):
        raise PackError(f"{what} {written} leads out of the {owner}'s folder {root}",
                        hint=f"keep every file a {owner} uses inside its folder (packs side"
                        " by side include each other when each folder is named after its"
                        " pack, as college/college.yaml); a symbolic link out is refused too")


def find_pack(
    ref: str | os.PathLike[str], *, base_dir: str | os.PathLike[str] | None = None,
    root: Path | None = None, read: Read = load_yaml,
) -> Path:
    """The pack file ``ref`` names; relative paths are taken from ``base_dir`` (else cwd).

    A string with a path separator or a YAML suffix is a path; otherwise a bundled pack name
    wins over a folder of the same name (write ``./name`` for the folder). A folder's files
    are read with ``read`` to compare their versions. With ``root`` (a reference inside a
    pack), a path must lead to a file or folder inside it.
    """
    base = Path(base_dir) if base_dir is not None else None
    if isinstance(ref, os.PathLike):
        return _find_path(Path(ref), base, root, read)
    if not ref.strip():
        raise PackError("empty pack reference", hint="give a pack name or a path")
    looks_like_path = any(sep in ref for sep in "/" + os.sep) or ref.endswith(PACK_SUFFIXES)
    match = None if looks_like_path else _NAME_REF.match(ref)
    if match and (bundled_dir() / match["name"]).is_dir():
        return _newest(bundled_dir() / match["name"], match["name"], match["version"], read)
    if match is None or _join(base, Path(match["name"])).exists():
        return _find_path(Path(ref), base, root, read)
    raise PackError(
        f"no bundled pack named {match['name']!r}, and no file or folder of that name",
        hint=f"bundled packs: {', '.join(bundled_packs()) or '(none)'}",
    )


def find_pack_versions(ref: str | os.PathLike[str], *, read: Read = load_yaml) -> list[Path]:
    """Every version file of the pack ``ref`` names, oldest first, for ``check`` and ``test``.

    A folder (or bundled name) without ``@version`` gives each of its pack files; a file,
    or a reference with ``@version``, gives the one ``find_pack`` finds.
    """
    newest = find_pack(ref, read=read)
    text = os.fspath(ref)
    looks_like_path = any(sep in text for sep in "/" + os.sep) or text.endswith(PACK_SUFFIXES)
    match = None if looks_like_path else _NAME_REF.match(text)
    folder: Path | None = None
    name = None
    if match and match["version"] is None and (bundled_dir() / match["name"]).is_dir():
        folder, name = bundled_dir() / match["name"], match["name"]
    elif not (match and (bundled_dir() / match["name"]).is_dir()) and Path(text).is_dir():
        folder = Path(text)
    if folder is None:
        return [newest]  # a file, or one version named with @
    return [path for _, path in _versions(folder, name, None, read)]

def version_key(version: str) -> tuple[Any, ...]:
    """Sort key of a semantic version; prereleases sort before their release."""
    match = _SEMVER.match(version)
    if not match:
        return (-1,)  # not a version: loses to every real one
    numbers = tuple(int(part) for part in match.groups()[:3])
    if match[4] is None:
        return (*numbers, 1, ())
    # Numeric identifiers sort numerically and before alphanumeric ones (semver 11.4).
    pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in match[4].split("."))
    return (*numbers, 0, pre)


def _version_matches(version: str, selector: str | None) -> bool:
    if selector is None:
        return True
    if _SEMVER.match(selector):
        return version == selector
    # A prefix: 1.2 selects 1.2.x.
    return version.split("-")[0].split(".")[: selector.count(".") + 1] == selector.split(".")


def _join(base: Path | None, path: Path) -> Path:
    joined = path if base is None or path.is_absolute() else base / path
    return Path(os.path.normpath(joined))


def _find_path(path: Path, base: Path | None, root: Path | None, read: Read) -> Path:
    # ``folder@1.2``: a version selector on a folder path.
    folder, at, selector = str(path).rpartition("@")
    if not (at and _SELECTOR.match(selector)):
        folder, selector = str(path), ""
    full = _join(base, path)
    if root is not None:
        # Before anything there is looked at, let alone read.
        check_inside(_join(base, Path(folder)), root, str(path), "path")
    if full.is_file():
        return full
    if full.is_dir():
        return _newest(full, None, None, read)
    if selector and _join(base, Path(folder)).is_dir():
        return _newest(_join(base, Path(folder)), None, selector, read)
    raise PackError(f"no pack file or folder at {full}", hint="check the path and its spelling")


def _yaml_files(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
    for path in found:
        # A folder's pack files are read to compare versions: none may lead elsewhere.
        check_inside(path, folder, path.name, "pack file")
    return found


def _newest(folder: Path, name: str | None, selector: str | None, read: Read) -> Path:
    """The pack file in ``folder`` with the highest version matching ``selector``."""
    return _versions(folder, name, selector, read)[-1][1]


def _versions(folder: Path, name: str | None, selector: str | None,
              read: Read) -> list[tuple[str, Path]]:
    """(version, file) of the pack files in ``folder`` matching ``selector``, oldest first.

    Only top-level files count (subfolders hold tests and word lists), and of those only
    the ones whose ``pack:`` is the folder's name when any is (always, for bundled packs).
    """
    if selector is not None and not _SELECTOR.match(selector):
        raise PackError(f"{selector!r} is not a version", hint="write name@1.2 or name@1.2.3")
    found: list[tuple[str, str, Path]] = []
    for path in _yaml_files(folder):
        data = read(path).data
        if isinstance(data.get("pack"), str):
            found.append((data["pack"], str(data.get("version", "")), path))
    wanted = name or folder.name
    if name is not None or any(pack == wanted for pack, _, _ in found):
        found = [entry for entry in found if entry[0] == wanted]
    if not found:
        raise PackError(f"no pack file in {folder}", hint="a pack file starts with `pack: name`")
    packs = sorted({pack for pack, _, _ in found})
    if len(packs) > 1:
        raise PackError(
            f"{folder} holds several packs ({', '.join(packs)})",
            hint="give the path of the pack file",
        )
    matching = [entry for entry in found if _version_matches(entry[1], selector)]
    if not matching:
        versions = ", ".join(sorted((v for _, v, _ in found), key=version_key))
        raise PackError(
            f"pack {packs[0]} has no version {selector}", hint=f"versions available: {versions}"
        )
    matching.sort(key=lambda entry: version_key(entry[1]))
    return [(version, path) for _, version, path in matching]
