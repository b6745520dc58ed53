"""The other half of "one label per action code": no label waits for a code the portal never writes."""

import ast

from audit.actions import SPECS, AuditAction
from tests.audit.test_actions import SOURCE


def test_every_registered_action_is_written_somewhere():
    """A registry constant named nowhere outside the registry is a label for a code never written."""
    named = {
        node.attr
        for path, tree in SOURCE
        if path != "audit/actions.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
    }
    never_written = sorted(action.name for action in AuditAction if action.name not in named)
    assert never_written == []


def test_every_registered_action_has_an_entry_and_a_label():
    for action in AuditAction:
        assert action in SPECS, action
        assert str(SPECS[action].label).strip(), action
