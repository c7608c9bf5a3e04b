"""Stories: near-duplicates grouped under their best-ranked article, and a
first page no single publisher takes over (#19)."""
from __future__ import annotations

import html
import re
from datetime import datetime
from types import SimpleNamespace

from conftest import news, write_jsonl

from search.near_duplicates import find_groups, resemblance, sketch, unpack
from search.retrieval.engine import Engine
from search.retrieval.stories import Story, diversify

STORY = ("Kebakaran hutan dan lahan di Kabupaten Pelalawan, Riau, kembali meluas pada Selasa. "
         "Tim gabungan dari Manggala Agni, TNI dan Polri masih berupaya memadamkan api yang "
         "menghanguskan sedikitnya dua ratus hektare lahan gambut. Kepala BPBD Riau mengatakan "
         "asap tebal membuat jarak pandang di Pekanbaru turun hingga tiga ratus meter dan sekolah "
         "diliburkan selama tiga hari. Warga diminta memakai masker jika keluar rumah.")
REWRITE = STORY.replace("kembali meluas pada Selasa", "terus meluas hingga Selasa sore") \
               .replace("Warga diminta memakai masker jika keluar rumah.", "Warga diimbau tetap di rumah.")
OTHER = ("Tim nasional sepak bola Indonesia kalah dua gol tanpa balas dari Malaysia dalam laga "
         "kualifikasi Piala Dunia di Stadion Gelora Bung Karno. Pelatih mengaku timnya kurang "
         "tajam di depan gawang dan berjanji memperbaiki penyelesaian akhir sebelum laga berikutnya.")


def signature(text: str) -> tuple:
    return unpack(sketch("", text))


def test_a_rewritten_story_resembles_its_original_and_another_story_does_not():
    assert resemblance(signature(STORY), signature(STORY)) == 1.0
    assert resemblance(signature(STORY), signature(REWRITE)) >= 0.5
    assert resemblance(signature(STORY), signature(OTHER)) < 0.1


def test_groups_join_near_duplicates_published_within_a_week():
    sketches = [sketch("", t) for t in (STORY, OTHER, REWRITE, STORY)]
    day = datetime(2019, 9, 10)
    assert find_groups(sketches, [day] * 4) == {0: 0, 2: 0, 3: 0}
    months_later = [day, day, day, datetime(2019, 12, 1)]
    assert find_groups(sketches, months_later) == {0: 0, 2: 0}


def stories(*items):
    return [Story(n, score) for n, score in items]


def test_a_publisher_over_half_the_first_page_gives_way_to_comparable_others():
    sources = ["a"] * 10 + ["b"] * 5
    ranked = stories(*[(n, 10.0 - n * 0.1) for n in range(15)])   # a's ten, then b's five, all close
    page = [sources[s.docnum] for s in diversify(ranked, sources)[:10]]
    assert page.count("a") == 5 and page.count("b") == 5


def test_a_publisher_that_alone_matches_well_keeps_its_places():
    sources = ["a"] * 10 + ["b"] * 5
    ranked = stories(*[(n, 10.0) for n in range(10)], *[(n, 2.0) for n in range(10, 15)])
    arranged = diversify(ranked, sources)
    assert [s.docnum for s in arranged] == list(range(15))


def corpus(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [
        news(1, "Kebakaran lahan di Pelalawan meluas", STORY, source="alpha"),
        news(2, "Karhutla Pelalawan terus meluas", REWRITE, source="beta"),
        news(3, "Indonesia kalah dari Malaysia", OTHER, source="alpha"),
        news(4, "Asap kebakaran lahan ganggu penerbangan", "Asap kebakaran lahan di Riau mengganggu "
             "penerbangan di Bandara Pekanbaru; tiga jadwal ditunda.", source="gamma"),
    ])
    from search.indexing.indexer import index_corpus

    index_corpus(tmp_path / "c", tmp_path / "ix")
    return tmp_path / "ix"


def test_the_engine_lists_a_story_once_with_its_similar_articles(tmp_path):
    with Engine(corpus(tmp_path)) as engine:
        grouped = engine.search("kebakaran lahan", group=True)
        flat = engine.search("kebakaran lahan", group=False)
    assert grouped.total == flat.total == 3                    # the total counts articles
    assert len(flat.hits) == 3 and len(grouped.hits) == 2
    (leader,) = [hit for hit in grouped.hits if hit.group]
    assert leader.group == "t-001" and len(leader.similar) == 1     # the key: the story's smallest id
    assert {leader.id, *leader.similar} == {"t-001", "t-002"}
    (alone,) = [hit for hit in grouped.hits if not hit.group]
    assert alone.id == "t-004" and alone.similar == []


def test_two_engines_in_one_process_each_group_their_own_index_once(tmp_path, monkeypatch):
    from search.retrieval import stories

    builds = []
    build = stories.Groups.build.__func__
    monkeypatch.setattr(stories.Groups, "build", classmethod(
        lambda cls, reader, view: builds.append(reader.doc_count()) or build(cls, reader, view)))
    small = tmp_path / "small"
    write_jsonl(small / "c" / "a.jsonl", [news(9, "Kebakaran lahan di Siak", STORY, source="delta")])
    from search.indexing.indexer import index_corpus

    index_corpus(small / "c", small / "ix")
    with Engine(corpus(tmp_path), result_cache_size=0) as first, \
            Engine(small / "ix", result_cache_size=0) as second:
        for _ in range(3):
            assert len(first.search("kebakaran lahan", group=True).hits) == 2
            assert [h.id for h in second.search("kebakaran lahan", group=True).hits] == ["t-009"]
    assert sorted(builds) == [1, 4]       # each index's groups built once, not once per switch


def test_the_api_returns_groups_and_switches_them_off(tmp_path):
    from web import create_app
    from web.engine import close_engine

    app = create_app({"CARI_INDEX": str(corpus(tmp_path)), "TESTING": True})
    try:
        client = app.test_client()
        grouped = client.get("/api/search?q=kebakaran+lahan").get_json()
        flat = client.get("/api/search?q=kebakaran+lahan&group=false").get_json()
        assert sorted(len(h["similar"]) for h in grouped["hits"]) == [0, 1]
        assert {h["group"] for h in grouped["hits"]} == {"t-001", None}
        assert len(flat["hits"]) == 3 and flat["total"] == grouped["total"] == 3

        page = client.get("/search?q=kebakaran+lahan").get_data(as_text=True)
        link = re.search(r'<a class="similar" href="([^"]+)" aria-expanded="false">\+1 berita serupa</a>', page)
        assert link, page[page.find('class="hits"'):][:1500]
        assert len(re.findall(r'<li class="hit[" ]', page)) == 2
        opened = html.unescape(client.get(html.unescape(link.group(1))).get_data(as_text=True))
        listed = opened[opened.find('class="similar-list"'):]
        other = {"t-001": "Kebakaran lahan di Pelalawan meluas", "t-002": "Karhutla Pelalawan terus meluas"}
        assert any(title in listed[:800] for title in other.values())
        assert "Sembunyikan 1 berita serupa" in opened
        every = client.get("/search?q=kebakaran+lahan&group=false").get_data(as_text=True)
        assert len(re.findall(r'<li class="hit[" ]', every)) == 3 and "+1 berita serupa" not in every
    finally:
        close_engine(app)


def test_diversity_is_on_in_the_api_and_off_with_a_parameter(client):
    on = client.get("/api/search?q=-zzzz&per_page=10").get_json()
    off = client.get("/api/search?q=-zzzz&per_page=10&diverse=false").get_json()
    assert on["total"] == off["total"]
    assert len({h["source"] for h in on["hits"]}) >= len({h["source"] for h in off["hits"]})
