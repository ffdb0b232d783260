"""sheetls's lint: the asyncio mistakes the sheet documents, found in a file's syntax tree with
names resolved the way hover resolves them, each explained by its sheet entry and fixed with the
sheet's own pattern. Pure (ast, the resolver and pyimports): no protocol objects.

    check(text, path=None, python=None) -> [Finding]
    apply_fixes(text, findings) -> (text, applied)

The rules: rules.RULES, documented in docs/rules.md."""

from sheetls.diagnostics.check import apply_fixes, check
from sheetls.diagnostics.findings import Edit, Finding, Fix
from sheetls.diagnostics.rules import RULES, Rule

__all__ = ["RULES", "Edit", "Finding", "Fix", "Rule", "apply_fixes", "check"]
