"""The YAML parsers measured for issue 28, on one generated set, in one process (bench/README.md).

    .venv/bin/python bench/parsers.py bench/data/100k            # every candidate installed, 3 rounds
    .venv/bin/python bench/parsers.py bench/data/10k --rounds 5 tl_fast tl_libyaml

Files are read into memory first; the garbage collector is off (as in a cold build's workers);
each candidate is timed in CPU seconds, the candidates interleaved round by round, and the best
round is shown. rapidyaml (``pip install rapidyaml``) and yaml-rs (``pip install yaml-rs``) are
measured when installed: they are candidates that were not chosen, in no dependency list.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph import yamlfast  # noqa: E402
from graph.parse import parse_file  # noqa: E402
from graph.yamlfile import parse_with_libyaml  # noqa: E402


def candidates(files: list[Path], datas: list[bytes], texts: list[str]) -> dict[str, Callable[[], None]]:
    """name → a function that parses every file once."""
    import yaml

    def pyyaml_load() -> None:
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)

    def pyyaml_compose() -> None:
        for text in texts:
            yaml.compose(text, Loader=yaml.CSafeLoader)

    def pyyaml_events() -> None:
        for text in texts:
            for _ in yaml.parse(text, Loader=yaml.CSafeLoader):
                pass

    def tl_libyaml() -> None:
        for text in texts:
            parse_with_libyaml(text, "x")

    def tl_fast() -> None:
        for text in texts:
            try:
                yamlfast.read_fast(text)
            except yamlfast.Unsupported:
                pass

    def tl_parse_file() -> None:
        for data, path in zip(datas, files):
            parse_file(data, path.name)

    def tl_parse_file_libyaml() -> None:
        def refuse(text: str) -> None:
            raise yamlfast.Unsupported("the reference route")

        keep, yamlfast.read_fast = yamlfast.read_fast, refuse
        try:
            tl_parse_file()
        finally:
            yamlfast.read_fast = keep

    found = {name: value for name, value in locals().items() if callable(value) and name[:3] in ("pyy", "tl_")}
    if importlib.util.find_spec("ryml"):
        found.update(_rapidyaml(datas))
    if importlib.util.find_spec("yaml_rs"):
        import yaml_rs

        def yamlrs() -> None:
            for text in texts:
                yaml_rs.loads(text, parse_datetime=False)

        found["yamlrs"] = yamlrs
    return found


def _rapidyaml(datas: list[bytes]) -> dict[str, Callable[[], None]]:
    import json

    import ryml

    def walk(tree: object) -> object:
        first, after, is_map, is_seq = tree.first_child, tree.next_sibling, tree.is_map, tree.is_seq
        key, val, none = tree.key, tree.val, ryml.NONE

        def value(node: int) -> object:
            if is_map(node):
                mapping, child = {}, first(node)
                while child != none:
                    mapping[str(key(child), "utf-8")] = value(child)
                    child = after(child)
                return mapping
            if is_seq(node):
                items, child = [], first(node)
                while child != none:
                    items.append(value(child))
                    child = after(child)
                return items
            scalar = val(node)
            return None if scalar is None else str(scalar, "utf-8")
        return value(tree.root_id())

    def ryml_tree() -> None:
        for data in datas:
            ryml.parse_in_arena(data)

    def ryml_walk() -> None:
        for data in datas:
            walk(ryml.parse_in_arena(data))

    def ryml_json() -> None:
        for data in datas:
            json.loads(ryml.emit_json(ryml.parse_in_arena(data)))

    return {"ryml_tree": ryml_tree, "ryml_walk": ryml_walk, "ryml_json": ryml_json}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("names", nargs="*", help="candidates to run (default: all installed)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    files = sorted(args.folder.rglob("*.yaml"))
    datas = [p.read_bytes() for p in files]
    texts = [d.decode("utf-8-sig") for d in datas]
    size = sum(map(len, datas)) / 1e6
    found = candidates(files, datas, texts)
    names = args.names or list(found)
    gc.disable()
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            start = time.process_time()
            found[name]()
            times[name].append(time.process_time() - start)
    print(f"{len(files)} files, {size:.1f} MB; CPU seconds, best of {args.rounds} interleaved rounds")
    for name in names:
        best = min(times[name])
        print(f"{name:24s} {best:7.2f} s  {size / best:7.1f} MB/s  (median {statistics.median(times[name]):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
