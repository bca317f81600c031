"""The MkDocs plugin: a thin adapter that runs the core's checks and writes its pages.

The build goes to a staging directory next to the real one and replaces it only when
every check passed, so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import gc
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Link

from . import mkdocs_files, phases, quick_rebuild, site_build
from .build_cache import BodyCache, namespace as cache_namespace
from .checks import collector_paused, run_checks
from .config import PortalConfig, build_date
from .deferred import framed_page
from .disk_cache import CACHE_DIR, cache_enabled, remember_between_builds
from .findings import Findings
from .linkcheck import Frame, check_site
from .markdown_render import BodyRenderer
from .material_adapter import ShellFactory
from .mkdocs_static import StaticFilesByStat, source_file
from .output_tree import OutputTree, forget_other_trees, list_spare, ready_spare
from .parallel import EntryPageJob, entry_page_files, write_entry_pages
from .portal import BodyChanged
from .process_exit import leave_objects_to_the_system
from .progress import Progress
from .search_segment import warm_up
from .serve_watcher import CHANGED, use_inotify
from .urls import Linker

log = logging.getLogger("mkdocs.plugins.gongkai")
STAGING_SUFFIX = ".gongkai-staging"   # MkDocs' own pages and assets, taken into the output tree at the end
SPARE_SUFFIX = ".gongkai-spare"       # the site before last, rewritten in place by the next build
LISTINGS_NOTE = "listing pages"       # the output tree's note of the listing pages and what they were made from
# The top-level directories the files made beside the pages go to (pruned once those are written)
BESIDE_DIRS = tuple(d.strip("/") for d in site_build.FORKING_FILES_DIRS)
assert all("/" not in d for d in BESIDE_DIRS)


def spare_dir(final: Path) -> Path:
    return final.with_name(final.name + SPARE_SUFFIX)


_SPARE_WORK: list[threading.Thread] = []   # `mkdocs serve`: the spare being made after a build


def _spare_in_background(final: Path, memo_dir: Path) -> None:
    """Make the spare (output_tree.ready_spare) in a thread: its links and directories are system calls,
    which leave the interpreter to the server meanwhile."""
    work = threading.Thread(target=ready_spare, args=(final, spare_dir(final), memo_dir), daemon=True)
    _SPARE_WORK.append(work)
    work.start()


def _wait_for_spare() -> None:
    while _SPARE_WORK:
        _SPARE_WORK.pop().join()


class GongkaiConfig(Config):
    catalog_dir = opt.Type(str, default="catalog")
    interpretation_severity = opt.Choice(("error", "warning"), default="error")
    interpretation_days = opt.Type(int, default=3)
    column_severity = opt.Choice(("error", "warning"), default="warning")
    page_size = opt.Type(int, default=20)
    identity = opt.Type(dict, default={})
    topics = opt.Type(list, default=[])
    link_check = opt.Type(bool, default=True)


def remove_in_background(path: Path) -> None:
    """Delete the previous site without waiting: unlinking its tens of thousands of files took longer
    (10 s at 10,000 entries) than rebuilding everything that changed."""
    try:
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(path)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def report(findings: Findings) -> None:
    for finding in findings.sorted():
        (log.error if finding.severity == "error" else log.warning)(finding.format())


class GongkaiPlugin(BasePlugin[GongkaiConfig]):
    def on_config(self, config):
        quick_rebuild.forget()   # a full build: until it succeeds, the site is not what the last one left
        root = Path(config.config_file_path).parent
        self.portal_config = PortalConfig.from_options(root, config, dict(self.config))
        phases.RECORDER.reset()
        if cache_enabled():
            site_build.use_template_cache(self._cache_dir("jinja"))
        site_build.start_dictionary_process(root)   # loads while the portal does, on the other core
        # the tree this build will write into, listed meanwhile for the prune at its end
        if getattr(self, "_listing", None) is not None:   # `mkdocs serve`: a build before failed its checks
            self._listing.discard()
        self._listing = list_spare(spare_dir(Path(config.site_dir)), root / CACHE_DIR) if cache_enabled() else None
        with collector_paused():   # until the loaded objects are frozen: else its next pass takes them all
            with phases.phase("loading and checks"):
                self.portal, findings = run_checks(self.portal_config, build_date())
            report(findings)
            if findings.errors:
                raise PluginError(f"检查发现{findings.summary()}，网站未生成，原有网站保持不变。请按上面的提示修改后重新构建。")
            # The portal and the records loaded with it live as long as the build: frozen out of the collector,
            # they are not traversed again by each of its full passes (0.1-0.2 s apiece at 10,000 entries).
            gc.freeze()
        self.final_site_dir = config.site_dir
        self.tree = self._output_tree()
        # The search index, made and written by a child process beside MkDocs' work and the pages (before
        # the warm-up thread: a fork waits for it; and before the work only this process needs)
        if not site_build.start_files_beside(self.portal, Linker(bool(config.use_directory_urls)), self.tree):
            warm_up()   # the search index will likely segment: the dictionary loads meanwhile, in a thread
        self.hidden = site_build.unpublished_content_files(self.portal)
        # MkDocs' walk of content/ makes no File of each body, and its list of the theme's files is kept
        mkdocs_files.install(config.docs_dir, self.hidden, site_build.theme_files_memo(self.portal_config.root))
        config.extra["gongkai"] = {"identity": self.portal_config.identity}
        config.site_dir = config.site_dir.rstrip("/\\") + STAGING_SUFFIX
        self._mkdocs_started = time.perf_counter(), time.process_time()
        return config

    def _output_tree(self) -> OutputTree:
        """The tree this build writes: with caches on, the spare (the site before last, made from the site
        when missing), with its memo under memo_dir, else a new directory beside the site (memo_dir None)."""
        final = Path(self.final_site_dir)
        self.memo_dir = self.portal_config.root / CACHE_DIR if cache_enabled() else None
        if self.memo_dir is None:
            final.parent.mkdir(parents=True, exist_ok=True)   # `-d build/site` on a fresh checkout
            return OutputTree(Path(tempfile.mkdtemp(prefix=final.name + ".gongkai-new-", dir=final.parent)), fresh=True)
        with phases.phase("output: spare made from the site (hard links)"):
            _wait_for_spare()
            ready_spare(final, spare_dir(final), self.memo_dir)
        tree = OutputTree(spare_dir(final), self.memo_dir)
        tree.listing, self._listing = self._listing, None
        tree.take_listing()   # when the lister is done already: its looks stand for the search child's too
        return tree

    def on_startup(self, command, dirty):
        self.serving = command == "serve"
        # serve keeps this plugin, and the process, for every rebuild: caches stay loaded between them
        remember_between_builds(self.serving)
        if command == "build":
            leave_objects_to_the_system()

    def on_shutdown(self):
        # `mkdocs serve` builds into a temporary directory it removes at exit; remove our spare beside it.
        _wait_for_spare()
        if getattr(self, "serving", False) and getattr(self, "final_site_dir", None):
            shutil.rmtree(spare_dir(Path(self.final_site_dir)), ignore_errors=True)

    def on_files(self, files, config):
        hidden = self.hidden
        files = StaticFilesByStat(file for file in files if file.src_uri not in hidden)
        self.files = files
        return files

    def on_nav(self, nav, config, files):
        # The generated sections join the site navigation (as links: they are not MkDocs pages).
        linker = Linker(bool(config.use_directory_urls))
        links = [Link(title, linker.url(path)) for title, path in site_build.NAV_SECTIONS]
        nav.items[1:1] = links
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        # The theme's templates were compiled again on every build (0.5 s); Jinja's own bytecode cache
        # checks each template's source before using what it stored.
        if cache_enabled() and env.bytecode_cache is None:
            env.bytecode_cache = FileSystemBytecodeCache(str(self._cache_dir("jinja")))
        self.env = env
        return env

    def _cache_dir(self, name: str) -> Path:
        path = self.portal_config.root / CACHE_DIR / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def on_post_build(self, config):
        try:
            self._post_build(config)
        except BodyChanged as exc:
            raise PluginError(f"正文文件 {self.portal_config.content_dir}/{exc.body} 在构建过程中被修改，与检查过的内容不同。"
                              "本次构建未发布，原有网站保持不变，请重新构建。") from None
        finally:
            gc.unfreeze()   # `mkdocs serve`'s next build loads another portal: this one must be collectable

    def _post_build(self, config):
        wall, cpu = getattr(self, "_mkdocs_started", (time.perf_counter(), time.process_time()))
        phases.add("mkdocs: theme, hand-written pages, assets", time.perf_counter() - wall, time.process_time() - cpu)
        # MkDocs' files (20,000 at 10,000 entries: the bodies, the theme's icons), navigation and environment
        # live as long as the build too: frozen with the portal, out of the collector's full passes.
        gc.freeze()
        mkdocs_output = Path(config.site_dir)
        final = Path(self.final_site_dir)
        tree, memo_dir = self.tree, self.memo_dir   # as _output_tree chose them
        tree.take_listing()   # else now, when it is done: before this process writes into the tree
        reuse = memo_dir is not None
        linker = Linker(bool(config.use_directory_urls))
        body_pages = site_build.body_pages(self.portal)
        extensions, mdx_configs = config.markdown_extensions, config.mdx_configs
        shells = ShellFactory(config, self.env, self.nav, self.files)
        markdown_key = cache_namespace(linker.directory_urls, extensions, mdx_configs)
        cache = BodyCache.for_root(self.portal_config.root, markdown_key)   # read when a page needs it
        progress = Progress()
        started = time.perf_counter()
        job = EntryPageJob(portal=self.portal, linker=linker, site_dir=tree.root, cache=cache,
                           make_renderer=lambda: BodyRenderer(linker.directory_urls, body_pages, extensions, mdx_configs),
                           shell_for=shells.for_file, source_of=site_build.entry_page_source, memo=tree.memo,
                           inputs_key=site_build.entry_pages_key(self.portal, linker, markdown_key),
                           fresh_tree=tree.fresh)
        renderer = BodyRenderer(linker.directory_urls, body_pages, extensions, mdx_configs)
        site_build.prepare_entry_pages()

        def meanwhile(tick):   # the parent's own pages and files, while the workers render entry pages
            self._listings_and_data(tree, linker, shells, renderer, tick)

        done = write_entry_pages(job, progress=progress, meanwhile=meanwhile)
        tree.keep(entry_page_files(job), done.page_keys, done.memo)
        phases.add("entry pages (parallel, wall)", time.perf_counter() - started, count=done.pages)
        phases.add("  unchanged, skipped", done.checking, count=done.skipped)
        phases.add("  markdown (summed over workers)", done.markdown, done.markdown_cpu, count=done.misses)
        phases.add("  templates (summed over workers)", done.templates, done.templates_cpu)
        phases.add("  output (summed over workers)", done.output, done.output_cpu)
        with phases.phase("body cache save"):
            cache.save()
            cache.release()
        # Files made beside the pages (the search index) are taken once the link check has scanned the pages
        # (their process works meanwhile); MkDocs' own files where they go wait for them, as ours come first.
        beside = site_build.files_beside_pending(self.portal)
        waits = (lambda rel: rel.startswith(site_build.FORKING_FILES_DIRS)) if beside else (lambda rel: False)
        if not beside:
            self._forking_files(tree, linker)
        reads: list[str] = []
        with phases.phase("output: MkDocs' pages and assets"):
            self._mkdocs_files(tree, mkdocs_output, reads, skip=waits)

        def files_made_beside() -> set[str]:
            before = set(tree.kept)
            # stale files go while the child finishes: all but in the directories it writes (pruned after)
            with phases.phase("output: stale files removed"):
                tree.prune(leave=BESIDE_DIRS)
            self._forking_files(tree, linker)
            with phases.phase("output: MkDocs' pages and assets"):
                self._mkdocs_files(tree, mkdocs_output, reads)
            return tree.kept - before

        if self.config.link_check:
            with phases.phase("link check"):
                findings = check_site(tree.root, cache_root=self.portal_config.root, files=tree.kept,
                                      page_keys=tree.page_keys, more_files=files_made_beside if beside else None,
                                      frames={depth: Frame(*parts, **shells.holes(depth))
                                              for depth, parts in shells.frames().items()})
            report(findings)
            if findings.errors:
                raise PluginError(f"链接检查发现{findings.summary()}，网站未发布，原有网站保持不变。")
        elif beside:
            files_made_beside()
        phases.add("  static files read (the others unchanged)", 0.0, 0.0, count=len(reads))
        with phases.phase("output: stale files removed"):
            for only in BESIDE_DIRS if beside else (None,):   # files_made_beside pruned the rest
                tree.prune(only=only)
        phases.add("  from the tree as listed when the build started", 0.0, 0.0, count=int(tree.pruned_from_listing))
        with phases.phase("publish"):
            self._publish(tree.root, keep_previous=reuse)
            shutil.rmtree(mkdocs_output, ignore_errors=True)
            if memo_dir is not None:
                tree.memo.save()
                forget_other_trees(memo_dir, [final, spare_dir(final)])
                if getattr(self, "serving", False):
                    quick_rebuild.remember(quick_rebuild.LastBuild(
                        portal=self.portal, linker=linker, site=final, memo_dir=memo_dir,
                        make_renderer=job.make_renderer, shell_for=shells.for_file, files=set(tree.kept),
                        page_keys=dict(tree.page_keys), link_check=self.config.link_check))
                    # the editor's first edit comes seconds later: have the spare ready by then
                    _spare_in_background(final, memo_dir)
        log.debug("gongkai: %d entry pages, body cache %d hits, %d misses", done.pages, done.hits, done.misses)
        phases.RECORDER.write_if_requested()

    def _listings_and_data(self, tree: OutputTree, linker: Linker, shells: ShellFactory, renderer, tick) -> None:
        """The listing pages, the other generated pages and the data files that need no worker processes (run
        while the entry pages' workers are: it must not fork; tick() after each page takes their results).
        Listing pages unchanged since the tree's last build, with the same frames, are kept as they are."""
        listings = site_build.LISTING_GENERATORS
        with phases.phase("output: listing pages"):
            listings_key = site_build.listing_pages_key(self.portal, linker)
            unchanged = tree.keep_noted(LISTINGS_NOTE, listings_key, lambda rel: shells.for_file(rel).key)
        frames: dict[str, bytes] = {}
        for only in (listings, None):    # the listing pages first, to note them
            skip = (site_build.entry_page_generator,) + (listings if unchanged or only is None else ())
            for page in site_build.generated_pages(self.portal, linker, renderer, skip=skip, only=only):
                with phases.phase("output: listing pages"):
                    out = linker.file(page.path)
                    shell = shells.for_file(out)
                    tree.write(out, framed_page(shell, linker.url(page.path), page))
                    if only is not None:
                        frames[out] = shell.key
                tick()
        if not unchanged:
            tree.note_files(LISTINGS_NOTE, listings_key, frames)
        self._write_files(tree, site_build.generated_files(self.portal, linker, skip=site_build.FORKING_FILE_GENERATORS))

    def _forking_files(self, tree: OutputTree, linker: Linker) -> None:
        """The search index's files: taken from the child that made them, or made here."""
        progress = Progress()
        progress.start("搜索索引和数据文件")
        if not site_build.take_files_made_beside(self.portal, tree):
            self._write_files(tree, site_build.generated_files(self.portal, linker,
                                                               only=site_build.FORKING_FILE_GENERATORS))
        progress.finish()

    def _mkdocs_files(self, tree: OutputTree, mkdocs_output: Path, reads: list[str], skip=lambda rel: False) -> None:
        """MkDocs' own pages and assets, but where a file of ours is (and those skip() names, for later)."""
        for rel, source in self.files.from_sources:
            if rel not in tree.kept and not skip(rel):   # a page or file of ours goes before MkDocs' (as in adopt)
                tree.write(rel, source_file(source, reads))
        tree.adopt(mkdocs_output, skip)

    @staticmethod
    def _write_files(tree: OutputTree, files) -> None:
        writing = phases.Stopwatch("output: data files")   # the generators' own time is theirs (site_build._timed)
        for rel, data in files:
            writing.start()
            tree.write(rel, data)
            writing.stop()
        writing.done()

    def _publish(self, built: Path, keep_previous: bool) -> None:
        """Put the built tree in place of the site; the previous site becomes the next build's spare
        (output_tree.py), or is deleted in the background when nothing is reused."""
        final = Path(self.final_site_dir)
        if not final.exists():
            built.rename(final)
            return
        old = Path(tempfile.mkdtemp(prefix=final.name + ".gongkai-old-", dir=final.parent))
        final.rename(old / "site")
        built.rename(final)
        if keep_previous:
            (old / "site").rename(spare_dir(final))
            old.rmdir()
        else:
            remove_in_background(old)

    def on_serve(self, server, config, builder):
        # Editors change catalogue entries as often as pages: rebuild on those too.
        server = use_inotify(server, [str(self.portal_config.catalog_path)])
        full_build = server.builder

        def rebuild():
            # Saved bodies alone: only their pages and the search index (quick_rebuild.py); else in full.
            changed = CHANGED.take()
            _wait_for_spare()   # the spare is linked from the site: not while the site is written
            try:
                done = quick_rebuild.rebuild(changed, log)
            except Exception:   # it put the site back: the full build decides, and reports what is wrong
                log.debug("gongkai: quick rebuild failed; rebuilding in full", exc_info=True)
                quick_rebuild.forget()
                done = False
            if not done:
                full_build()

        server.builder = rebuild
        return server

    def on_build_error(self, error):
        gc.unfreeze()
        if getattr(self, "portal", None) is not None:
            site_build.discard_files_made_beside(self.portal)
        if getattr(self, "final_site_dir", None):
            final = Path(self.final_site_dir)
            shutil.rmtree(self.final_site_dir.rstrip("/\\") + STAGING_SUFFIX, ignore_errors=True)
            for scratch in final.parent.glob(final.name + ".gongkai-new-*"):
                remove_in_background(scratch)
