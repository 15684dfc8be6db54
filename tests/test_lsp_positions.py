"""Positions between losslint (1-based lines, code-point columns) and the client (0-based,
UTF-8 / UTF-16 / UTF-32 code units): lsp.to_position and lsp.from_position."""

from __future__ import annotations

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402


@pytest.mark.parametrize("encoding", [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16,
                                      types.PositionEncodingKind.Utf32])
@pytest.mark.parametrize("text", ["x = y.mean(axis=-1)", "", "s = 'naïve'  # é", "e = '😀😀' + x", "\t\tx"])
def test_positions_convert_like_pygls(encoding, text):
    """to_position / from_position (with their ASCII fast path) agree with pygls' own
    character-by-character count, in every position encoding, at every column and one past."""
    from pygls.workspace import PositionCodec

    from losslint.lsp import from_position, to_position

    codec = PositionCodec(encoding)
    lines = [text, "after"]
    for column in range(1, len(text) + 2):
        pos = to_position(lines, codec, 1, column)
        assert pos.character == codec.client_num_units(text[:column - 1])
        assert from_position(lines, codec, pos) == (1, column)
    past = types.Position(line=0, character=codec.client_num_units(text) + 1)
    assert from_position(lines, codec, past) is None
