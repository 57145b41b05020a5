"""Every id a template writes into a URL, a form value or an HTMX target is unlocalized, because
USE_THOUSAND_SEPARATOR would render 4725 as "4,725"."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

ROOTS = [Path(settings.BASE_DIR) / "templates"]
ID_VARIABLE = re.compile(r"\{\{\s*[\w.]*(?:\.pk|_pk|\.id|_version_id)\s*(\|[^}]*)?\}\}")


def test_no_template_renders_an_id_through_the_thousand_separator():
    offenders = []
    for root in ROOTS:
        for path in root.rglob("*.html"):
            for match in ID_VARIABLE.finditer(path.read_text()):
                if "unlocalize" not in (match.group(1) or "") and "stringformat" not in (match.group(1) or ""):
                    offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert not offenders, "ids rendered with thousand separators:\n" + "\n".join(offenders)


def test_unlocalize_is_a_builtin_and_numbers_keep_their_grouping():
    rendered = Template('{{ n }} <a id="x-{{ n|unlocalize }}">').render(Context({"n": 4725}))
    assert rendered == '4,725 <a id="x-4725">'
