"""The segmenter's dictionary loaded in a process of its own (dictionary_process.py): the few texts of an edit
are cut there exactly as the search child would cut them, by its one client only, and the process ends with
its client."""
from __future__ import annotations

import os
import time

import pytest

from gongkai import dictionary_process, search_segment
from gongkai.search_segment import DEFAULT_USER_DICT, Segmenter

from seeds import SEEDS

TEXTS = ["示例市人民政府办公室关于印发《示例市政务公开工作要点》的通知",
         "各区人民政府，市政府各委、办、局：现将有关事项通知如下。政府信息公开申请的办理期限为20个工作日。"]


def seed_texts() -> list[str]:
    found = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.md")) if p.name != "README.md"]
    return TEXTS + found[:3]


def wait_for_exit(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:   # reaped already (the test ended it)
            return True
        time.sleep(0.02)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return False


@pytest.fixture()
def client():
    """This test's process as the dictionary process's client (as the child beside the pages is)."""
    assert dictionary_process.start(DEFAULT_USER_DICT)
    pid = dictionary_process._STARTED[0]
    dictionary_process.take_over()
    try:
        yield pid
    finally:
        for end in ("requests", "replies"):
            os.close(dictionary_process._CLIENT[end])
        dictionary_process._CLIENT.clear()
        search_segment._REMOTE.clear()
        assert wait_for_exit(pid), "the dictionary process did not end with its client"


def test_texts_are_cut_there_as_here_and_the_dictionary_is_not_loaded_here(client):
    here = Segmenter(DEFAULT_USER_DICT)
    here._tokenizer()   # loaded: cuts here
    there = Segmenter(DEFAULT_USER_DICT)
    for text in seed_texts():
        assert there.tokens(text) == here.tokens(text)
    assert there._tok is None, "the client loaded the dictionary itself"
    assert dictionary_process._CLIENT["left"] == dictionary_process.TEXTS_SENT - len(seed_texts())


def test_after_so_many_texts_the_client_loads_the_dictionary_itself(client):
    dictionary_process._CLIENT["left"] = 2
    segmenter = Segmenter(DEFAULT_USER_DICT)
    segmenter.tokens(TEXTS[0])
    segmenter.tokens(TEXTS[1])
    assert segmenter._tok is None
    segmenter.tokens(TEXTS[0])
    assert segmenter._tok is not None


def test_only_its_client_process_sends_texts(client):
    """A worker forked by the client inherits the pipes: it must not send (replies would cross)."""
    dictionary_process._CLIENT["pid"] = os.getpid() + 1
    segmenter = Segmenter(DEFAULT_USER_DICT)
    segmenter.tokens(TEXTS[0])
    assert segmenter._tok is not None
    dictionary_process._CLIENT["pid"] = os.getpid()


def test_a_client_whose_process_is_gone_cuts_here(client):
    os.kill(client, 9)
    os.waitpid(client, 0)
    here = Segmenter(DEFAULT_USER_DICT)
    here._tokenizer()
    segmenter = Segmenter(DEFAULT_USER_DICT)
    assert segmenter.tokens(TEXTS[0]) == here.tokens(TEXTS[0])
    assert segmenter._tok is not None
    assert dictionary_process._CLIENT["left"] == 0


def test_the_process_ends_when_the_build_lets_go_and_no_client_took_it():
    assert dictionary_process.start(DEFAULT_USER_DICT)
    pid = dictionary_process._STARTED[0]
    dictionary_process.let_go()
    assert not dictionary_process._STARTED
    assert wait_for_exit(pid)
