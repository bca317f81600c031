"""rjieba gives jieba's tokens on Han text, so the build may use the faster one."""
from pathlib import Path

import pytest

from gongkai.search_corpus import generate_docs
from gongkai.search_index import normalize
from gongkai.search_segment import HAN_RUN, LATIN_TOKEN, CachedSegmenter, Segmenter

from seeds import SEEDS  # noqa: E402
DEMO = Path(__file__).resolve().parents[1] / "content"


def han_runs(texts):
    return [m.group() for t in texts for m in HAN_RUN.finditer(normalize(t))]


def corpus_texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DEMO.rglob("*.md"))] if DEMO.exists() else []
    texts += [d.title + d.text for d in generate_docs(300, SEEDS)]
    return texts


@pytest.fixture(scope="module")
def engines():
    pytest.importorskip("rjieba")
    return Segmenter(engine="jieba"), Segmenter(engine="rjieba")


def test_rjieba_tokens_equal_jieba_on_seeds_demo_and_generated_corpus(engines):
    slow, fast = engines
    runs = han_runs(corpus_texts())
    assert len(runs) > 1000
    assert [slow.cut_han(r) for r in runs] == [fast.cut_han(r) for r in runs]


def test_runs_cut_in_one_call_give_the_words_of_each_run(engines):
    """han_words cuts a text's Han runs in one call; each engine must give the words of the runs cut one by one
    (in the texts, runs touch Latin letters, digits, spaces, punctuation and Han characters outside jieba's
    class)."""
    texts = corpus_texts() + ["第3条规定，ＰＭ２.５浓度\u3000下降；㐀丽\u9fa6政务公开 一网通办"]
    for seg in engines:
        for text in map(normalize, texts):
            words = [w for m in HAN_RUN.finditer(text) for w in seg.cut_han(m.group())]
            assert [w for w in seg.han_words(text) if w != "，"] == words, seg.engine


def test_han_and_latin_equal_two_passes_over_the_text(engines):
    """han_and_latin finds the Latin tokens between the Han runs: the same tokens, in the same order, as
    searching the whole text, wherever a token touches a run, the text's ends or another token."""
    import random
    rng = random.Random(7)
    alphabet = ["政", "务", "公", "开", "㐀", "a", "b", "7", "0", ".", ".5", " ", "，", "-", "\u3000", "x86_64"]
    texts = corpus_texts() + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    texts += ["3.中", "中3.5", "pm2.5浓度", "a", "中", "", "中.5中", "1.2.3中4.5"]
    seg = engines[1]
    for text in map(normalize, texts):
        assert seg.han_and_latin(text) == (seg.han_words(text), LATIN_TOKEN.findall(text)), text


def test_user_dictionary_keeps_field_terms_whole(engines):
    for seg in engines:
        tokens = seg.tokens(normalize("深化放管服改革，推进一网通办，全面推行双随机一公开监管，做好政务公开工作"))
        for word in ("放管服", "一网通办", "双随机一公开", "政务公开"):
            assert word in tokens, (seg.engine, word, tokens)


def test_latin_and_digit_tokens_are_normalised(engines):
    tokens = engines[1].tokens(normalize("ＰＭ２.５浓度 与 193号"))
    assert "pm2.5" in tokens and "193" in tokens


def test_cache_segments_unchanged_text_once(tmp_path, engines):
    legacy = tmp_path / f"search-tokens-{engines[1].fingerprint}.pickle"   # the unsharded file of older builds
    legacy.write_bytes(b"old")
    first = CachedSegmenter(engines[1], tmp_path)
    first.counts("政务公开工作要点")
    first.counts("一网通办")
    first.save()
    assert not legacy.exists()
    second = CachedSegmenter(engines[1], tmp_path)
    assert second.counts("政务公开工作要点") == first.counts("政务公开工作要点")
    second.counts("新的正文")
    assert (second.hits, second.misses) == (1, 1)
    # Saved by shard: a build that changed one text rewrites only the shards whose texts changed (of those it
    # read: a shard is read when a key in it is asked for, as an update asks for the edited texts' old keys).
    shards = sorted(first.path.glob("*.pickle"))
    assert {p.stem for p in shards} == {k[0] for k in first.new}      # no empty shard files
    before = {p.name: p.stat().st_ino for p in shards}   # a save replaces the file: a new inode
    dropped = next(k for k in first.new if k not in second.new)
    assert second.old.get(dropped) is not None
    second.save()
    changed = {p.name for p in shards if p.stat().st_ino != before[p.name]}
    touched = {k[0] + ".pickle" for k in set(first.new) ^ set(second.new)}
    assert changed == touched and 1 <= len(changed) <= 3
    third = CachedSegmenter(engines[1], tmp_path)
    third.load_all()
    assert {k: v for shard in third.old.loaded.values() for k, v in shard.items()} == second.new


def test_kept_texts_are_neither_read_nor_written(tmp_path, engines):
    """An update keeps the unchanged documents' texts (CachedSegmenter.keep) without their counts: the shards
    holding only those are not read, and not written."""
    first = CachedSegmenter(engines[1], tmp_path)
    texts = [f"第{n}篇正文，政务公开。" for n in range(40)]
    for text in texts:
        first.counts(text)
    first.save()
    shards = {p.name: p.stat().st_ino for p in first.path.glob("*.pickle")}
    second = CachedSegmenter(engines[1], tmp_path)
    for key in first.new:
        second.keep(key)
    second.save()
    assert second.old.loaded == {}
    assert {p.name: p.stat().st_ino for p in first.path.glob("*.pickle")} == shards
    third = CachedSegmenter(engines[1], tmp_path)
    assert all(third.counts(text) == first.counts(text) for text in texts) and third.misses == 0


def test_segmenter_is_made_once_per_dictionary_file(tmp_path):
    from gongkai.search_segment import segmenter_for
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("政务公开 20000\n", encoding="utf-8")
    first = segmenter_for(user_dict)
    assert segmenter_for(user_dict) is first
    user_dict.write_text("政务公开 20000\n一网通办专区 30000\n", encoding="utf-8")   # an editor adds a word
    second = segmenter_for(user_dict)
    assert second is not first and "一网通办专区" in second.tokens("一网通办专区")


def test_fast_counts_equal_counting_the_tokens(engines):
    """search_build_words.fast_counts counts before it filters: the same words, counts and order as counting
    Segmenter.tokens (one-character Han words dropped, one-character Latin tokens kept)."""
    from collections import Counter
    from gongkai.search_build_words import fast_counts
    texts = corpus_texts()[:200] + ["第3条 a 7 号，ＰＭ２.５ pm2.5 与 x86_64 一网通办一网通办"]
    for text in map(normalize, texts):
        assert list(fast_counts(engines[1], text).items()) == list(Counter(engines[1].tokens(text)).items())


def test_warm_up_loads_the_dictionary_in_a_thread_and_a_fork_inherits_it():
    import os
    from gongkai import search_segment
    segmenter = search_segment.segmenter_for(search_segment.DEFAULT_USER_DICT)
    if segmenter.engine != "rjieba":
        pytest.skip("only rjieba's dictionary is warmed")
    segmenter._tok = None
    search_segment.warm_up()
    read, write = os.pipe()
    pid = os.fork()   # waits for the thread (os.register_at_fork): the child has the dictionary
    if pid == 0:
        os.write(write, b"1" if segmenter._tok is not None else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert segmenter.cut_han("政务公开") == list(search_segment.Segmenter(engine="rjieba").cut_han("政务公开"))


def test_rjieba_is_loaded_without_its_packages_default_instance():
    """The extension module alone (the package's __init__ builds a default Jieba that would hold up the build
    for 0.13 s; a new process shows whether it ran): the same class, and the same tokens."""
    import subprocess
    import sys
    pytest.importorskip("rjieba")
    probe = ("import sys; from gongkai.search_segment import _rjieba_class; cls = _rjieba_class(); "
             "print(cls.__name__, 'rjieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["Jieba", "False"]
    from gongkai.search_segment import _rjieba_class
    import rjieba
    text = "示例市人民政府办公室关于印发政务公开工作要点的通知"
    assert list(_rjieba_class()().cut_for_search(text)) == list(rjieba.Jieba().cut_for_search(text))
