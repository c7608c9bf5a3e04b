"""What a typed word also stands for (search/retrieval/expansion.py): spelling variants
by rule, near spellings of rare names; and the corrections beside them (spelling.py)."""
from __future__ import annotations

import pytest

from conftest import engine_of, news, write_jsonl
from search.analysis import STOPWORDS
from search.retrieval.engine import Engine
from search.retrieval.expansion import initials_solid, joined_forms, old_new_spellings
from search.retrieval.query import Budget


def stories() -> list[dict]:
    out = []

    def add(title, body):
        out.append(news(len(out) + 1, title, body))

    for i in range(100):
        add(f"Anies Baswedan resmikan taman {i}", f"Gubernur Anies Baswedan meresmikan taman kota nomor {i}.")
    for i in range(2):
        add(f"Anis Baswedan hadiri acara {i}", f"Anis Baswedan hadir di balai kota ke-{i}.")
    add("Anis Matta bicara partai", "Anis Matta berbicara tentang partai baru.")
    for i in range(12):
        add(f"Kesehatan mata anak {i}", f"Dokter memeriksa kesehatan mata anak sekolah {i}.")
    add("Mengenang Soeharto", "Soeharto memimpin Indonesia selama 32 tahun.")
    add("Keluarga Soeharto berziarah", "Keluarga besar Soeharto berziarah ke Astana Giribangun.")
    add("Buku tentang Suharto terbit", "Sebuah buku tentang Suharto terbit di Leiden.")
    add("Raja Belanda berkunjung", "Raja Belanda berkunjung ke Yogyakarta.")
    add("Sang raja disambut", "Raja disambut ribuan warga.")
    add("Jalan raya macet", "Jalan raya di Bogor macet panjang.")
    add("BJ Habibie dirawat", "BJ Habibie dirawat di RSPAD.")
    add("Kenangan BJ Habibie", "Kisah BJ Habibie dan Ainun.")
    add("B.J. Habibie wafat", "Presiden ketiga B.J. Habibie wafat.")
    add("Pengesahan RXYZ ditunda", "DPR menunda pengesahan RXYZ.")
    add("Kontroversi RXYZ", "Pasal-pasal RXYZ menuai kritik.")
    add("RUU XYZ dibahas lagi", "Panja membahas RUU XYZ pekan depan.")
    add("Surat tandatangan palsu", "Polisi menyelidiki tandatangan palsu.")
    add("Tandatangan digital", "Tandatangan digital mulai dipakai.")
    add("Tanda tangan kontrak", "Kedua pihak membubuhkan tanda tangan.")
    for i in range(3):
        add(f"Muhammad Ali dikenang {i}", "Petinju Muhammad Ali dikenang dunia.")
    add("Mohammad Ali di Jakarta", "Mohammad Ali pernah berkunjung ke Jakarta.")
    add("Kata yangu dalam puisi", "Penyair menulis kata yangu dalam puisinya.")
    add("Muka pucat sang pemain", "Muka pemain itu pucat setelah laga.")
    add("Muka baru di tim", "Beberapa muka baru bergabung dengan tim.")
    add("MU kalah lagi", "MU kalah di kandang sendiri.")
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from search.indexing.indexer import index_corpus

    root = tmp_path_factory.mktemp("expansion")
    write_jsonl(root / "c" / "a.jsonl", stories())
    index_corpus(root / "c", root / "ix")
    with Engine(root / "ix", result_cache_size=0) as eng:
        yield eng


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


# -- the rules -------------------------------------------------------------------------------------------


def test_old_and_new_spellings_by_rule():
    assert "soeharto" in old_new_spellings("suharto")
    assert "suharto" in old_new_spellings("soeharto")
    assert "jakarta" in old_new_spellings("djakarta")
    assert "surabaya" in old_new_spellings("soerabaja")     # j/y beside oe/u
    assert "raya" not in old_new_spellings("raja")          # j/y alone: modern words differ by it
    # Every spelling, each rule in its place: two-letter new forms (ny, sy,
    # kh) before one-letter ones, j/y only beside a sure mark, at most
    # MAX_SITES letters changed.
    assert old_new_spellings("penyanyi") == {"penjanji", "penjanyi", "penyanji"}
    assert old_new_spellings("syarat") == {"sjarat"}
    assert old_new_spellings("khusus") == {"choesoes", "choesus", "chusoes", "chusus",
                                           "khoesoes", "khoesus", "khusoes"}
    assert old_new_spellings("raja") == {"radja"}
    assert old_new_spellings("soerabaja") == {"soerabaya", "surabaya"}
    assert len(old_new_spellings("kucuruyucu")) == 30      # its first 5 sites: 2^5 - 1, less y alone
    assert "joyohadikusumo" in old_new_spellings("djojohadikoesoemo")
    assert initials_solid("B.J.") == "bj" and initials_solid("Habibie") is None
    assert joined_forms("RUU", "KUHP") == ["ruukuhp", "rkuhp"]
    assert joined_forms("sepak", "bola") == ["sepakbola"]


# -- variants in a search --------------------------------------------------------------------------------


def test_an_old_spelling_finds_the_new_and_ranks_below_it(engine):
    results = engine.search("Suharto")
    assert results.total == 3 and titles(results)[0] == "Buku tentang Suharto terbit"
    assert "soeharto" in results.terms                  # marked in the snippets
    assert engine.search("Soeharto").total == 2         # a spelling in one article only is not searched


def test_j_and_y_alone_keep_modern_words_apart(engine):
    assert titles(engine.search("raya")) == ["Jalan raya macet"]


def test_initials_with_dots_find_them_without(engine):
    results = engine.search("B.J. Habibie")
    assert results.total == 3 and titles(results)[0] == "B.J. Habibie wafat"


def test_an_acronym_written_spaced_finds_it_solid_and_two_words_find_one(engine):
    results = engine.search("RUU XYZ")
    assert results.total == 3 and titles(results)[0] == "RUU XYZ dibahas lagi"
    assert engine.search("tanda tangan").total == 3


def test_two_words_are_joined_only_into_a_word_the_stories_write(engine):
    """``mukalah`` is in no story, though it stems to ``muka`` (face), which is."""
    assert titles(engine.search("MU kalah")) == ["MU kalah lagi"]


def test_variants_need_the_expansion_allowance(engine):
    searcher = engine.searcher()
    generation = engine.generation(searcher)

    def budget(expansions):
        return Budget(expansions=expansions, vocabulary=lambda: generation.words(searcher.reader()))

    assert engine.parse("Suharto", searcher, budget=budget(0)).expansions == []
    found = engine.parse("Suharto", searcher, budget=budget(90)).expansions
    assert [(a.kind, a.text) for a in found] == [("variant", "soeharto")]
    assert 0 < found[0].weight < 1


# -- near spellings of rare names ----------------------------------------------------------------------


def test_a_rare_name_finds_its_usual_spelling_below_its_own(engine):
    results = engine.search("Mohammad Ali")
    assert results.total == 4 and titles(results)[0] == "Mohammad Ali di Jakarta"
    assert "muhammad" in results.terms


def test_a_common_word_is_never_a_near_spelling_nor_a_stopword(engine):
    assert titles(engine.search("Matta")) == ["Anis Matta bicara partai"]     # not "mata"
    assert titles(engine.search("yangu")) == ["Kata yangu dalam puisi"]      # not "yang"


def test_a_common_word_gets_no_near_spellings(engine):
    results = engine.search("taman")                    # in most articles
    assert all(alt not in results.terms for alt in ("teman", "tamat"))


# -- "Maksud Anda" -----------------------------------------------------------------------------------------


def test_a_far_commoner_near_spelling_is_offered_beside_results(engine):
    results = engine.search("Anis Baswedan")
    assert results.total_all_words == 2 and not results.corrected    # then Baswedan alone (the tail)
    assert results.correction == "Anies Baswedan"


def test_a_name_of_its_own_is_not_corrected(engine):
    results = engine.search("Anis Matta")
    assert results.total_all_words == 1 and results.correction is None


def test_a_correction_is_never_a_stopword(sample_index, client):
    with Engine(sample_index) as eng:
        results = eng.search("berita")
        assert results.correction is None or not set(results.correction.lower().split()) & STOPWORDS
    page = client.get("/search?q=berita")
    assert page.status_code == 200
    assert "Menampilkan hasil untuk <b>serta" not in page.get_data(as_text=True)


@pytest.mark.parametrize("q", ["yang", "dan di"])
def test_a_query_of_stopwords_is_a_results_page_that_says_why(client, q):
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    assert "Kueri tidak memuat kata yang bisa dicari" in page.get_data(as_text=True)
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 200 and api.get_json()["total"] == 0


def test_a_spelling_variant_does_not_stop_near_spellings(tmp_path):
    """mahfudz (in one article) has an old spelling by rule (mahfoedz, in two)
    and the near spelling the stories use (mahfud): it finds all three."""
    from search.indexing.indexer import index_corpus

    filler = [news(10 + i, f"Harga cabai {i}", f"Harga cabai naik di pasar {i}.") for i in range(120)]
    records = [news(1 + i, f"Mahfud MD bicara {i}", f"Menteri Mahfud MD berbicara {i}.") for i in range(4)]
    records += [news(5 + i, f"Kisah Mahfoedz {i}", f"Mahfoedz menulis surat {i}.") for i in range(2)]
    records.append(news(7, "Surat pembaca", "Kata Mahfudz, surat itu sampai."))   # the typed form, once
    write_jsonl(tmp_path / "c" / "a.jsonl", records + filler)
    index_corpus(tmp_path / "c", tmp_path / "ix")
    with Engine(tmp_path / "ix", result_cache_size=0) as eng:
        results = eng.search("mahfudz")
    assert {"mahfud", "mahfoedz"} <= set(results.terms)
    assert results.total == 7


# -- the spellings of one word are one term for the statistics -------------------------------------------


def spelling_stories() -> list[dict]:
    """Thirty stories about Soeharto; one long story on another subject that
    writes the rare spelling Suharto once; two twins that differ only by the
    spelling (the variant first, so a tie would rank it first)."""
    out = []

    def add(title, body):
        out.append(news(len(out) + 1, title, body))

    for i in range(30):
        add(f"Soeharto dan pembangunan desa {i}",
            f"Soeharto meresmikan bendungan ke-{i}. Pada masa Soeharto, program desa berjalan.")
    add("Dunia berduka atas wafatnya sang teknokrat",
        "Presiden Amerika mengirim ucapan duka. Ia pernah bertemu Suharto. " + "Pesawat rancangannya terbang. " * 20)
    add("Kisah lama dari Cendana", "Sebuah kisah lama tentang Soeharto di Cendana.")
    add("Kisah lama dari Cendana", "Sebuah kisah lama tentang Suharto di Cendana.")
    for i in range(20):
        add(f"Cuaca cerah di kota {i}", f"Cuaca cerah diperkirakan di kota nomor {i}.")
    return out


@pytest.fixture(scope="module")
def spellings(tmp_path_factory):
    eng = engine_of(tmp_path_factory, "spellings", spelling_stories(), result_cache_size=0)
    yield eng
    eng.close()


def test_a_rare_spelling_does_not_outrank_the_usual_one_by_its_rarity(spellings):
    """Scored as separate terms, ``Suharto`` (two articles) had an idf far above
    ``Soeharto``'s (31) and the one long story that mentions it in passing came
    first; scored as one term, the stories about the man come first."""
    results = spellings.search("suharto", per_page=40)
    ranked = titles(results)
    assert "soeharto" in results.terms
    assert ranked.index("Dunia berduka atas wafatnya sang teknokrat") > 5
    assert ranked[0].startswith(("Soeharto dan pembangunan desa", "Kisah lama dari Cendana"))


def test_the_spelling_typed_beats_its_variant_in_an_equal_article(spellings):
    hits = [h for h in spellings.search("suharto", per_page=40).hits if h.title == "Kisah lama dari Cendana"]
    assert [h.id for h in hits] == ["t-033", "t-032"]        # Suharto's twin above Soeharto's
    assert hits[0].score > hits[1].score
