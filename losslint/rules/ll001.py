"""LL001 syntax-error: a file cannot be read, decoded or parsed."""

from __future__ import annotations

from . import Example, Rule

RULE = Rule(
    code='LL001',
    name='syntax-error',
    default=True,
    needs_layout=False,
    summary='a file cannot be read, decoded or parsed',
    what=(
        'Reports a file that cannot be read, decoded (PEP 263: UTF-8 unless a coding '
        'cookie says otherwise) or parsed by libcst, at the line and column of the error. '
        'The run goes on with the other files.'
    ),
    why=(
        'A file losslint cannot parse is a file it cannot check: without this finding a '
        'broken or mis-encoded loss module would silently pass.'
    ),
    example='def loss(y_true, y_pred:\n    return y_pred - y_true',
    fix=(
        "Fix the syntax error, or declare the file's encoding with a `# -*- coding: "
        'latin-1 -*-` cookie on its first or second line.'
    ),
    harmless='Never for a Python file; exclude generated or template files with `exclude`.',
    priority=10,
)
