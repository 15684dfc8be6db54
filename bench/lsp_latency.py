"""didChange -> publishDiagnostics latency of ``losslint lsp`` (median of N edits).

The server runs with its debounce set to 0 ($LOSSLINT_LSP_DEBOUNCE_MS), so the numbers are
analysis + protocol time; an editor sees the debounce (reported as ``debounce_ms``) on top.
Edits alternate between the first line (a comment) and the axis of a reduction inside a loss
function in the middle of a generated loss module, as typing does.

    python bench/lsp_latency.py [--runs 20] [--sizes 300,3000]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

HEADER = "# edit 0\nimport torch\nimport torch.nn.functional as F\nfrom keras import backend as K\n\n\n"

BLOCKS = [
    # a Keras loss with a partial spatial reduction (LL102, with a fix)
    "def mse_{i}(y_true, y_pred):\n"
    "    err = K.square(y_pred - y_true)\n"
    "    per_pixel = K.mean(err, axis=-1)\n"
    "    return K.mean(per_pixel)\n\n\n",
    # a clean Keras loss
    "def dice_{i}(y_true, y_pred, smooth=1.0):\n"
    "    inter = K.sum(y_true * y_pred, axis=[2, 3])\n"
    "    union = K.sum(y_true, axis=[2, 3]) + K.sum(y_pred, axis=[2, 3])\n"
    "    return 1.0 - K.mean((2.0 * inter + smooth) / (union + smooth), axis=1)\n\n\n",
    # a PyTorch loss with a softmax along the wrong axis (LL101)
    "def focal_{i}(logits, target, gamma=2.0):\n"
    "    probs = torch.softmax(logits, dim=-1)\n"
    "    logp = F.log_softmax(logits, dim=1)\n"
    "    loss = -((1 - probs) ** gamma) * logp\n"
    "    return loss.sum(dim=1).mean()\n\n\n",
]


def generate(lines: int) -> str:
    parts, n, i = [HEADER], HEADER.count("\n"), 0
    while n < lines:
        block = BLOCKS[i % len(BLOCKS)].format(i=i)
        parts.append(block)
        n += block.count("\n")
        i += 1
    return "".join(parts)


async def measure(text: str, root: Path, runs: int) -> dict:
    env = {**os.environ, "LOSSLINT_LSP_DEBOUNCE_MS": "0"}
    client = LanguageClient("lsp-latency", "1")
    published: dict[int, tuple[float, int]] = {}
    waiters: dict[int, asyncio.Future] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams):
        published[params.version] = (time.perf_counter(), len(params.diagnostics))
        fut = waiters.pop(params.version, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams):
        pass

    await client.start_io(sys.executable, "-m", "losslint", "lsp", env=env)
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root))))
    client.initialized(types.InitializedParams())

    path = root / "losses.py"
    path.write_text(text)
    uri = from_fs_path(str(path))
    loop = asyncio.get_running_loop()

    pid = client._server.pid
    cpu_times: list[float] = []

    async def until(version: int, send) -> float:
        fut = loop.create_future()
        waiters[version] = fut
        cpu = process_cpu(pid)
        start = time.perf_counter()
        send()
        await asyncio.wait_for(fut, 300)
        cpu_times.append(process_cpu(pid) - cpu)
        return published[version][0] - start

    first = await until(1, lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))))
    # Two kinds of edit, alternating: the comment on the first line, and the axis of a
    # reduction inside a loss function in the middle of the module (what typing in a loss does:
    # that function is analysed again, the others are not).
    lines = text.split("\n")
    target = next(i for i in range(len(lines) // 2, len(lines)) if "K.mean(err, axis=-1)" in lines[i])
    col = lines[target].index("axis=-1") + len("axis=")
    times, loss_times, cpu_comment, cpu_loss = [], [], [], []
    axis, comment = "-1", "# edit 0"
    for k in range(runs):
        version = k + 2
        if k % 2 == 0:
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=0, character=0),
                                  end=types.Position(line=0, character=len(comment))),
                text=f"# edit {k + 1}")
            comment = f"# edit {k + 1}"
        else:
            new = "-2" if axis == "-1" else "-1"
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=target, character=col),
                                  end=types.Position(line=target, character=col + len(axis))),
                text=new)
            axis = new
        took = await until(version, lambda: client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change])))
        (times if k % 2 == 0 else loss_times).append(took)
        (cpu_comment if k % 2 == 0 else cpu_loss).append(cpu_times[-1])
    hover_times = []
    for _ in range(3):  # the first hover builds the per-version hover index, later ones use it
        start = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=7, character=22)))
        hover_times.append(time.perf_counter() - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    return {
        "engine_only_cpu_median_ms": ms(engine_time(path, text)),
        "lines": text.count("\n"),
        "diagnostics": published[runs + 1][1],
        "open_ms": ms(first),
        "change_median_ms": ms(statistics.median(times + loss_times)),
        "change_comment_median_ms": ms(statistics.median(times)),
        "change_in_loss_median_ms": ms(statistics.median(loss_times)),
        "change_server_cpu_median_ms": ms(statistics.median(cpu_comment[1:] + cpu_loss)),
        "change_in_loss_server_cpu_median_ms": ms(statistics.median(cpu_loss)),
        "change_min_ms": ms(min(times + loss_times)),
        "change_max_ms": ms(max(times + loss_times)),
        "hover_first_ms": ms(hover_times[0]),
        "hover_cached_ms": ms(statistics.median(hover_times[1:])),
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def engine_time(path: Path, text: str, repeat: int = 3) -> float:
    """The engine alone, in this process (median CPU time of ``repeat`` runs), to tell the
    server's own overhead from the analysis."""
    from losslint.checker import Options, analyse
    from losslint.config import ConfigResolver

    cfg = ConfigResolver().for_path(path)
    data = text.encode("utf-8")
    analyse(str(path), cfg, data, Options())  # warm up: imports
    times = []
    for _ in range(repeat):
        start = time.process_time()
        analyse(str(path), cfg, data, Options())
        times.append(time.process_time() - start)
    return statistics.median(times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default="300,3000")
    args = parser.parse_args()
    from losslint.lsp import DEFAULT_DEBOUNCE_MS

    out: dict = {"runs": args.runs, "debounce_ms": DEFAULT_DEBOUNCE_MS, "cpus": os.cpu_count(),
                 "load_average_1m": round(os.getloadavg()[0], 2),
                 "note": ("latencies (wall clock) exclude the debounce: the server runs with "
                          "LOSSLINT_LSP_DEBOUNCE_MS=0; *_cpu_* are CPU times, which machine load does not inflate")}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C H W"\n')
        for size in (int(s) for s in args.sizes.split(",")):
            out[f"{size}_lines"] = await measure(generate(size), root, args.runs)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
