"""The file-name rule of a batch file: ``LRB_<UKPRN>_<DDMMYYYYHHMM>.CSV``, as data.

The layout gives the pattern (with named groups), the extensions as they must be written,
the timestamp's strptime format, and which groups must repeat a header value. Each broken
part is one finding: a name that does not have the form at all is only that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from lrsrules.batch.layouts import FileNameRule, HeaderField, LayoutRule
from lrsrules.findings import Finding


def check_file_name(name: str, rule: FileNameRule, rules: Mapping[str, LayoutRule], *,
                    header: Mapping[str, str | None] | None = None,
                    header_fields: tuple[HeaderField, ...] = (),
                    now: dt.datetime | None = None) -> list[Finding]:
    """Findings about the file name ``name`` (no folder).

    ``header`` maps header headings to their values (None when blank); a group that must
    repeat a header value is compared only when that value is itself right, so a wrong
    UKPRN is reported once, by the header's own rule.
    """
    extensions = " or ".join(f".{ext}" for ext in rule.extensions)
    match = rule.pattern.fullmatch(name)
    extension: str = match["extension"] if match else ""
    folded = {ext.casefold() for ext in rule.extensions}
    if match is None or extension.casefold() not in folded:
        return [rules["name.form"].finding(name=name, extensions=extensions)]
    found: list[Finding] = []
    if extension not in rule.extensions:
        found.append(rules["name.extension_case"].finding(
            name=name, extension=extension, extensions=extensions))
    stamp = match["timestamp"]
    try:
        moment = dt.datetime.strptime(stamp, rule.timestamp)
    except ValueError:
        found.append(rules["name.timestamp"].finding(name=name, timestamp=stamp))
    else:
        if moment > (now or dt.datetime.now()):
            found.append(rules["name.future"].finding(name=name, timestamp=stamp))
    values = header or {}
    fields = {field.heading: field for field in header_fields}
    for group, heading in rule.header_values.items():
        value, expected = match[group], values.get(heading)
        field = fields.get(heading)
        if expected is None or (field is not None and not field.accepts(expected)):
            continue
        if value != expected:
            found.append(rules["name.header"].finding(
                name=name, group=group, found=value, heading=heading, header_value=expected))
    return found
