"""The `faqbot` command line: try the bot offline, curate data, run it on Discord.

Exit codes: 0 success, 1 problems found (data, input), 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.datadir import entry_path, import_threads, read_entry_file
from bot.render import reply_json, reply_text, summary_json
from bot.serialize import summary_to_dict
from bot.service import DataError, FaqService
from bot.store import StoreError
from bot.yamlio import dump_entries, entries_from_yaml, load_data, read_text_file, write_atomic


class CliError(Exception):
    """A problem to print (without a traceback) before exiting 1."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: config.yaml if present)")
    p.add_argument("--data", metavar="DIR", help="curated data folder (default: data)")
    p.add_argument("--db", metavar="PATH", help="SQLite database file (default: faqbot.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faqbot", description="A Discord FAQ bot that summarises expert answers."
    )
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ask", help="show what the bot would reply to a question (offline)")
    p.add_argument("query", nargs="?", help="the member's words")
    p.add_argument("--batch", metavar="FILE", help="one query per line ('-' for stdin)")
    p.add_argument("--guild", type=int, metavar="ID", help="answer as in this Discord server")
    p.add_argument("--json", action="store_true", help="print the stable JSON object")
    p.add_argument("--brief", action="store_true", help="summary only, without the full answers")
    _common(p)

    p = sub.add_parser("check", help="validate config, data and database; exit 1 on problems")
    _common(p)

    p = sub.add_parser("import", help="import Q&A thread text files (or YAML exports)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--guild", type=int, metavar="ID", help="load YAML entries into this server's store instead of data/"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    _common(p)

    p = sub.add_parser("export", help="write entries as YAML that imports back losslessly")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--guild", type=int, metavar="ID", help="this server's entries (default: global)")
    _common(p)

    p = sub.add_parser("summarize", help="print an entry's automatic summary for review")
    p.add_argument("entry_id", metavar="ID")
    p.add_argument(
        "--write", action="store_true", help="save it into the entry's YAML as the curated summary"
    )
    p.add_argument("--json", action="store_true")
    _common(p)

    p = sub.add_parser("eval", help="regression-test matching with a CSV of query,expected_id")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--guild", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--min-accuracy", type=_share, metavar="X", help="exit 1 if in-scope accuracy is below X (0.8 or 80)"
    )
    p.add_argument(
        "--min-oos-recall",
        type=_share,
        metavar="X",
        help="exit 1 if out-of-scope recall is below X (0.9 or 90)",
    )
    _common(p)

    p = sub.add_parser(
        "export-queries",
        help="write the queries members asked as an eval CSV (query,expected_id) to review and keep",
    )
    p.add_argument("file", metavar="FILE", help="a new .csv file, or '-' for stdout")
    p.add_argument("--guild", type=int, metavar="ID", help="this server's queries (default: global)")
    p.add_argument("--limit", type=int, default=1000, metavar="N", help="most-asked first (default 1000)")
    _common(p)

    p = sub.add_parser(
        "calibrate", help="show the answer bars chosen from the store's own entries, and what they give"
    )
    p.add_argument("--guild", type=int, metavar="ID", help="this server's scope (default: global)")
    p.add_argument("--json", action="store_true")
    _common(p)

    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN)")
    _common(p)

    p = sub.add_parser("backup", help="copy the SQLite store to PATH while the bot runs")
    p.add_argument("target", type=Path, metavar="PATH")
    _common(p)

    p = sub.add_parser(
        "migrate", help="copy a whole store into an empty one, e.g. SQLite to PostgreSQL (bot stopped)"
    )
    p.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="sqlite:///faqbot.db or a path"
    )
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql://user@host/db")
    return parser


def load_cli_config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    overrides: dict[str, Any] = {}
    if args.data:
        overrides["data_dir"] = args.data
    try:
        config = load_config(path, overrides)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if args.db:
        config = config.model_copy(
            update={"database": config.database.model_copy(update={"url": f"sqlite:///{args.db}"})}
        )
    return config


async def open_service(config: Config) -> FaqService:
    try:
        return await FaqService.open(config)
    except DataError as exc:
        raise CliError(f"data problems (nothing was synced; run faqbot check):\n{exc}") from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


async def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    if (args.query is None) == (args.batch is None):
        raise CliError("give a QUERY or --batch FILE (not both)")
    service = await open_service(load_cli_config(args))
    try:
        if args.query is not None:
            reply = await service.ask(args.query, args.guild, record=False)
            if args.json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(reply_text(reply, show_answers=not args.brief) + "\n")
            return 0
        source = sys.stdin if args.batch == "-" else _open_text(Path(args.batch))
        for line in source:
            query = line.strip()
            if not query:
                continue
            reply = await service.ask(query, args.guild, record=False)
            if args.json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
            else:
                out.write(reply_text(reply, show_answers=False) + "\n\n")
        return 0
    finally:
        await service.close()


def _open_text(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{path}: cannot be read: {exc.strerror}") from None


async def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    problems: list[str] = []
    try:
        config = load_cli_config(args)
    except CliError as exc:
        out.write(f"config: {exc}\n")
        return 1
    loaded = load_data(config.data_dir)
    problems += [str(p) for p in loaded.problems]
    synonyms = Path(config.data_dir) / "synonyms.yaml"
    if synonyms.exists():
        try:
            from bot.matching import load_synonyms

            load_synonyms(synonyms)
        except Exception as exc:  # the loader's own message names file and entry
            problems.append(f"{synonyms}: {exc}")
    from bot.store import open_store, redact_url

    try:
        store = await open_store(config.database.url)
        integrity = await store.integrity_check()
        counts = await store.entry_counts()
        await store.close()
        if integrity != "ok":
            problems.append(f"database {redact_url(config.database.url)}: integrity check says {integrity!r}")
    except StoreError as exc:
        problems.append(str(exc))
        counts = {}
    for p in problems:
        out.write(p + "\n")
    if problems:
        out.write(f"{len(problems)} problem(s) found.\n")
        return 1
    token = "set" if config.token() else "not set (needed only for faqbot run)"
    out.write(
        f"ok: {len(loaded.entries)} entries in {config.data_dir}, database "
        f"{redact_url(config.database.url)} reachable ({counts.get('guild', 0)} server entries), "
        f"DISCORD_TOKEN {token}\n"
    )
    return 0


async def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    yaml_files = [f for f in args.files if f.suffix.lower() in (".yaml", ".yml")]
    threads = [f for f in args.files if f not in yaml_files]
    if args.guild is not None:
        if threads:
            raise CliError("--guild takes YAML exports; import thread text into data/ first")
        return await _import_yaml_to_guild(args, config, yaml_files, out)
    if yaml_files:
        raise CliError(
            "YAML files go straight into data/faq/ (copy them there); "
            "use --guild ID to load an export into a server's store"
        )
    outcome = import_threads(threads, Path(config.data_dir), dry_run=args.dry_run)
    for w in outcome.warnings:
        out.write(f"warning: {w}\n")
    if outcome.problems:
        for p in outcome.problems:
            out.write(f"{p}\n")
        out.write("nothing was written.\n")
        return 1
    for path, entry_id, what in outcome.results:
        verb = f"would be {what}" if args.dry_run and what != "unchanged" else what
        out.write(f"{entry_id}: {verb} ({path})\n")
    return 0


async def _import_yaml_to_guild(
    args: argparse.Namespace, config: Config, files: list[Path], out: TextIO
) -> int:
    entries, problems = [], []
    for f in files:
        text, problem = read_text_file(f, 1024 * 1024)
        if problem:
            problems.append(str(problem))
            continue
        assert text is not None
        loaded = entries_from_yaml(text, str(f))
        problems += map(str, loaded.problems)
        entries += loaded.entries
    ids = [e.id for e in entries]
    problems += [
        f"entry {i!r} appears more than once in the files given" for i in set(ids) if ids.count(i) > 1
    ]
    if problems:
        out.write("\n".join(problems) + "\nnothing was imported.\n")
        return 1
    service = await open_service(config)
    try:
        if not args.dry_run:
            await service.import_entries(args.guild, entries, actor="cli-import")
    finally:
        await service.close()
    out.write(
        f"{len(entries)} entries {'would be ' if args.dry_run else ''}imported into server {args.guild}\n"
    )
    return 0


async def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    service = await open_service(load_cli_config(args))
    try:
        entries = service.own_entries(args.guild)
    finally:
        await service.close()
    folder = args.directory / "faq" if args.guild is None else args.directory
    for entry in entries:
        write_atomic(folder / f"{entry.id}.yaml", dump_entries([entry]))
    out.write(f"wrote {len(entries)} entries to {folder}\n")
    return 0


async def cmd_summarize(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    path = entry_path(Path(config.data_dir), args.entry_id)
    entry = read_entry_file(path) if path.exists() else None
    if entry is None:
        loaded = load_data(config.data_dir)
        entry = next((e for e in loaded.entries if e.id == args.entry_id), None)
        path = Path(loaded.files.get(args.entry_id, path))
    if entry is None:
        raise CliError(f"no entry {args.entry_id!r} in {config.data_dir} (ids are file names in faq/)")
    from bot.matching import load_embedder

    embedder = (
        load_embedder(config.matching.model_dir, cache_dir=config.embedding_cache_dir())
        if config.matching.semantic != "off"
        else None
    )
    from bot.summary import summarize

    summary = summarize(entry, max_points=config.replies.max_points, embedder=embedder)
    if args.json:
        out.write(json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n")
    else:
        from bot.models import Candidate, MatchResult
        from bot.service import Reply

        result = MatchResult(entry.question, "answer", 1.0, Candidate(entry.id, entry.question, 1.0))
        out.write(reply_text(Reply(result, entry, summary), show_answers=False) + "\n")
    if args.write:
        if read_entry_file(path) is None:  # several entries in one file, or not valid alone
            raise CliError(f"{path} does not hold this entry alone; add the summary there by hand")
        curated = entry.with_changes(summary=summary)
        write_atomic(path, dump_entries([curated]))
        data = summary_to_dict(summary)
        out.write(
            f"\nwrote the summary ({len(data['points'])} points) into {path} as curated; "
            "edit it there, it now takes precedence\n"
        )
    return 0


def _share(text: str) -> float:
    """A required share: 0.8 or 80 (percent)."""
    try:
        v = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give e.g. 0.8 or 80") from None
    v = v / 100 if v > 1 else v
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be within 0-1 (or 0-100 %)")
    return v


async def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from bot.evaluate import below, evaluate, load_eval_csv, report_to_dict, report_to_text
    from bot.models import Candidate

    try:
        cases = load_eval_csv(args.file)
    except (OSError, ValueError) as exc:
        raise CliError(str(exc)) from None
    service = await open_service(load_cli_config(args))
    try:
        results = [await service.ask(c.query, args.guild, record=False) for c in cases]
        firsts: list[Candidate | None] = []  # threshold-free top-1
        for c in cases:
            ranked = await service.rank_async(c.query, args.guild, 1)
            firsts.append(ranked[0] if ranked else None)
        known = {e.id for e in service.visible_entries(args.guild)}
    finally:
        await service.close()
    by_query = iter(r.result for r in results)
    by_rank = iter(firsts)
    report = evaluate(cases, lambda _q: next(by_query), lambda _q: next(by_rank), known)
    failed = below(report, args.min_accuracy, args.min_oos_recall)
    if args.json:
        data = {**report_to_dict(report), "failed": failed}
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report_to_text(report) + "\n")
    for message in failed:
        sys.stderr.write(f"faqbot eval: {message}\n")
    return 1 if failed else 0


async def cmd_export_queries(args: argparse.Namespace, out: TextIO) -> int:
    """Real queries → a `faqbot eval` CSV: expected_id is the entry the bot answered with
    (or a member picked among the suggestions); empty where nothing answered. A starting
    point for a regression set: review the ids before relying on it."""
    import csv
    import io

    if args.file != "-" and Path(args.file).exists():
        raise CliError(f"{args.file} exists; choose a new file name")
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    service = await open_service(load_cli_config(args))
    try:
        stats = await service.store.stats(args.guild, limit=args.limit)
    finally:
        await service.close()
    buf = io.StringIO()
    buf.write(
        "# faqbot export-queries: real members' queries, most asked first. expected_id is what the bot\n"
        "# answered with (or a member picked); empty = no answer. Review every row, then: faqbot eval FILE\n"
    )
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["query", "expected_id"])
    for q in stats.top_queries:
        writer.writerow([q.query, q.last_entry_id or ""])
    if args.file == "-":
        out.write(buf.getvalue())
    else:
        try:
            write_atomic(Path(args.file), buf.getvalue())
        except OSError as exc:
            raise CliError(f"cannot write {args.file}: {exc}") from None
        out.write(f"wrote {len(stats.top_queries)} queries to {args.file}; review expected_id before use\n")
    return 0


async def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    service = await open_service(load_cli_config(args))
    try:
        if args.guild:
            await service.settings(args.guild)  # its overrides, if any
        chosen = await service.calibrate(args.guild, use_cache=False)
        effective = service.thresholds(args.guild)
    finally:
        await service.close()
    data = {
        "scope": args.guild or "global",
        "calibrated": chosen.to_dict(),
        "effective": {"answer": effective.answer, "suggest": effective.suggest, "keyword": effective.keyword},
    }
    if args.json:
        out.write(json.dumps(data, indent=2) + "\n")
        return 0
    c = chosen
    how = "from the store's probes" if c.source == "store" else "the fixed default (too few probes)"
    out.write(
        f"scope: {data['scope']}\n"
        f"calibrated bars ({how}): answer {c.answer:.3f}, suggest {c.suggest:.3f}, keyword {c.keyword:.3f}\n"
        f"probes: {c.in_scope_probes} in-scope (held-out phrasings, questions, answer titles), "
        f"{c.out_of_scope_probes} out-of-scope (left-out entries, generic questions)\n"
        f"expected at the answer bar: answer rate {c.answer_rate:.1%}, precision {c.precision:.1%}, "
        f"accuracy {c.accuracy:.1%}, out-of-scope recall {c.oos_recall:.1%}\n"
        f"in effect (config.yaml and server overrides win): answer {effective.answer:.3f}, "
        f"suggest {effective.suggest:.3f}, keyword {effective.keyword:.3f}\n"
    )
    return 0


async def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    if not config.database.url.startswith("sqlite"):
        raise CliError("faqbot backup copies a SQLite store; for PostgreSQL use pg_dump")
    if args.target.exists():
        raise CliError(f"{args.target} exists; choose a new file name")
    from bot.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(config.database.url.removeprefix("sqlite:///"))
    try:
        await store.backup(args.target)
    finally:
        await store.close()
    out.write(f"backed up {store.path} to {args.target}\n")
    return 0


async def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    from bot.store import redact_url
    from bot.store.migrate import migrate_urls

    try:
        report = await migrate_urls(args.source, args.target)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    out.write(f"copied {report}\nfrom {redact_url(args.source)} to {redact_url(args.target)}\n")
    return 0


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    try:
        from cogs.standalone import run
    except ImportError as exc:
        raise CliError(f"the Discord plugin cannot be loaded: {exc}") from None
    return run(config)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], Coroutine[Any, Any, int]]] = {
    "ask": cmd_ask,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "summarize": cmd_summarize,
    "eval": cmd_eval,
    "calibrate": cmd_calibrate,
    "export-queries": cmd_export_queries,
    "backup": cmd_backup,
    "migrate": cmd_migrate,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "run":
            return cmd_run(args, out)
        return asyncio.run(COMMANDS[args.command](args, out))
    except CliError as exc:
        sys.stderr.write(f"faqbot {args.command}: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
