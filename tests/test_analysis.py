"""Indonesian analysis: tokenizer, stopwords, stemmer, compounds, variants, Whoosh chain.

Words are real news words (they occur in the CLICK-ID articles); the expected
roots are what a reader of Indonesian would give.
"""
from __future__ import annotations

import pickle

import pytest
from whoosh import fields, qparser
from whoosh.filedb.filestore import RamStorage
from whoosh.highlight import UppercaseFormatter

from search.analysis import ANALYSIS_VERSION, STOPWORDS, analyze, indonesian_analyzer, stem
from search.analysis.derive import derive
from search.analysis.stemmer import Stemmer
from conftest import shared_path


def terms(text: str) -> list[str]:
    return [t["term"] for t in analyze(text)]


# Root finding, without the kept-apart words (kept_apart_id.txt), which keep
# some derived words as their own term in the index (meninggal, pemerintah).
ROOTS_ONLY = Stemmer(kept={})


# --- stemming: meN- / peN- and the consonant they drop -----------------------

@pytest.mark.parametrize("word, root", [
    ("mengatakan", "kata"), ("menegaskan", "tegas"), ("memakan", "makan"),
    ("pemerintah", "perintah"), ("penyelidikan", "selidik"), ("menyampaikan", "sampai"),
    ("memukul", "pukul"), ("menangkap", "tangkap"), ("mengirim", "kirim"),
    ("menyebut", "sebut"), ("penulis", "tulis"), ("pemilih", "pilih"),
    ("penyidik", "sidik"), ("pengungsi", "ungsi"), ("membangun", "bangun"),
    ("mendorong", "dorong"), ("menggunakan", "guna"), ("menghadiri", "hadir"),
    ("mengebom", "bom"), ("pengetahuan", "tahu"), ("melihat", "lihat"),
    ("meminta", "minta"), ("menilai", "nilai"), ("menyanyikan", "nyanyi"),
    ("memperbaiki", "baik"), ("mempengaruhi", "pengaruh"), ("mempelajari", "ajar"),
])
def test_nasal_prefixes_restore_the_dropped_consonant(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word, root", [
    ("bertahan", "tahan"), ("bekerja", "kerja"), ("belajar", "ajar"), ("berambut", "rambut"),
    ("terbakar", "bakar"), ("tertangkap", "tangkap"), ("dilakukan", "laku"), ("ditangkap", "tangkap"),
    ("kedua", "dua"), ("sebesar", "besar"), ("perbesar", "besar"), ("pelajar", "ajar"),
    ("petani", "tani"), ("pekerja", "kerja"),
])
def test_plain_prefixes(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word, root", [
    ("kebakaran", "bakar"), ("kesehatan", "sehat"), ("keamanan", "aman"),      # ke-an
    ("pembangunan", "bangun"), ("penanganan", "tangan"), ("penerbangan", "terbang"),  # peN-an
    ("perdagangan", "dagang"), ("perbaikan", "baik"), ("pertemuan", "temu"),    # per-an
    ("berdatangan", "datang"), ("bermunculan", "muncul"), ("bertebaran", "tebar"),  # ber-an
    ("kepolisian", "polisi"), ("keberadaan", "ada"), ("persatuan", "satu"),
])
def test_confixes(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word, root", [
    ("laporan", "lapor"), ("pesanan", "pesan"), ("bantuan", "bantu"),            # -an
    ("tunjukkan", "tunjuk"), ("sampaikan", "sampai"),                             # -kan
    ("dimulai", "mulai"), ("dinilai", "nilai"), ("diawasi", "awas"),              # -i, di-i
    ("benarkah", "benar"), ("bacalah", "baca"), ("apapun", "apa"), ("apatah", "apa"),  # particles
    ("rumahnya", "rumah"), ("bukuku", "buku"), ("milikmu", "milik"),             # possessives
    ("kemenangannya", "menang"), ("miliknyalah", "milik"),
    ("kupukul", "pukul"), ("kauambil", "ambil"),                                  # ku- kau-
])
def test_suffixes_particles_possessives_proclitics(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word", [
    "bali", "bekasi", "jokowi", "habibie", "kediri", "semarang",   # proper nouns
    "pantai", "berita", "beliau", "perlu", "pesan", "makan", "tahan", "peran", "pertama",
    "televisi", "teknologi", "investasi", "demokrasi", "internet", "smartphone",  # loanwords
    "abdullah", "subarkah",                                            # names ending like particles
])
def test_leaves_unaffixed_words_alone(word):
    assert stem(word) == word


def test_acronyms_are_not_stemmed_and_AS_is_not_as():
    assert terms("KPK DPR RI ICC") == ["kpk", "dpr", "ri", "icc"]
    assert terms("AS") != terms("as")
    assert terms("Amerika Serikat") [-1] == terms("AS")[0]
    assert terms("BERITA") == ["berita"]


def test_stems_are_cached_per_distinct_word(monkeypatch):
    stemmer = Stemmer()
    computed = []
    compute = stemmer.compute                           # the uncached path
    monkeypatch.setattr(stemmer, "compute", lambda word: computed.append(word) or compute(word))
    assert stemmer.stem("mengatakan") == "kata"
    assert stemmer.stem("mengatakan") == "kata"         # a second call is served from the cache
    assert stemmer.stem("dikatakan") == "kata"
    assert computed == ["mengatakan", "dikatakan"]


# --- hyphens: reduplication, lexical units, compounds ------------------------

@pytest.mark.parametrize("word, root", [
    ("negara-negara", "negara"), ("secepat-cepatnya", "cepat"), ("memanggil-manggil", "panggil"),
    ("tembak-menembak", "tembak"), ("berbalas-balasan", "balas"), ("meniru-nirukan", "tiru"),
    ("kupu-kupu", "kupu-kupu"), ("bolak-balik", "bolak-balik"), ("sayur-mayur", "sayur-mayur"),
    ("kuasa-mu", "kuasa"),
])
def test_reduplication(word, root):
    # Hyphenated words are read by the analysis (terms.py), not by stem() alone.
    assert [t["term"] for t in analyze(word)] == [root]


def test_hyphenated_compound_splits_into_consecutive_words():
    tokens = analyze("konflik Israel-Palestina")
    assert [t["term"] for t in tokens] == ["konflik", "israel", "palestina"]
    assert [t["position"] for t in tokens] == [0, 1, 2]
    assert [(t["start"], t["end"]) for t in tokens[1:]] == [(8, 14), (15, 24)]


def test_compound_matches_each_part_and_the_phrase():
    ix = _index(["Konflik Israel-Palestina memanas", "Israel menyerang", "Palestina dan Israel"])
    with ix.searcher() as searcher:
        parser = qparser.QueryParser("body", ix.schema)
        assert _hits(searcher, parser, "israel") == {0, 1, 2}
        assert _hits(searcher, parser, "palestina") == {0, 2}
        assert _hits(searcher, parser, '"israel palestina"') == {0}
        assert _hits(searcher, parser, "Israel-Palestina") == {0, 2}


# --- numbers and currency ----------------------------------------------------

def test_numbers_and_currency_are_tokens_of_their_own():
    assert terms("US$900 miliar") == ["usd", "900", "miliar"]
    assert terms("1,5 juta jiwa") == ["1,5", "juta", "jiwa"]
    assert terms("pada 10/9/2019") == ["10/9/2019"]
    assert terms("Rp10.000") == ["rp", "10000"]
    assert terms("Rp 10.000") == terms("Rp10.000")
    assert terms("tahun 2022") == ["tahun", "2022"]
    assert terms("sinyal 5G") == ["sinyal", "5g"]
    assert terms("COVID-19") == ["covid", "19"]


# --- stopwords ---------------------------------------------------------------

def test_stopwords_are_function_words_only():
    for content in ("tahun", "presiden", "baru", "orang", "hari", "negara", "kata", "bulan",
                    "bisa", "perlu", "cara", "saat", "kurang", "besar", "pihak"):
        assert content not in STOPWORDS
    assert {"yang", "dan", "di", "ke", "dari", "ini", "itu", "adalah"} <= STOPWORDS
    assert terms("cara merawat rambut agar tidak rontok") == ["cara", stem("merawat"), "rambut", "rontok"]


@pytest.mark.shared_data
def test_every_stopword_is_in_some_published_list():
    """Checked against ../shared/lang: each of our stopwords is a recognised one."""
    published: set[str] = set()
    for name in ("lucene_id_stopwords.txt", "stopwords_iso_id.txt", "tala_masdevid_id_stopwords.txt",
                 "sastrawi_php_stopwords.txt", "pysastrawi_stopwords.txt"):
        text = shared_path("lang", name).read_text(encoding="utf-8")
        published.update(w.strip().lower() for w in text.split() if not w.startswith("#"))
    unknown = sorted(STOPWORDS - published)
    # reviewed: pronouns, colloquial particles and literary conjunctions the
    # published lists happen not to carry; a new word here needs a review
    reviewed = {"beliau", "biarpun", "daku", "deh", "diriku", "dirimu", "engkau", "kau", "kendati",
                "mesti", "sang", "si", "sih", "situ", "tah"}
    assert set(unknown) <= reviewed, unknown


# --- variants and synonyms ---------------------------------------------------

def test_spelling_variants_share_one_term():
    assert terms("Tiongkok") == terms("China") == terms("Cina")
    assert terms("praktek") == terms("praktik")
    assert terms("undang-undang") == terms("UU")


def test_multiword_names_add_their_short_form():
    tokens = analyze("Presiden Joko Widodo")
    assert ("jokowi", 1, 9, 20) in [(t["term"], t["position"], t["start"], t["end"]) for t in tokens]
    assert "kpk" in terms("Komisi Pemberantasan Korupsi")
    assert "amerika_serikat" in terms("Amerika Serikat")
    ix = _index(["Presiden Joko Widodo meresmikan", "Jokowi meninjau", "Widodo saja"])
    with ix.searcher() as searcher:
        parser = qparser.QueryParser("body", ix.schema)
        assert _hits(searcher, parser, "Jokowi") == {0, 1}


# --- analyze() and the Whoosh chain ------------------------------------------

def test_analyze_gives_terms_positions_and_offsets():
    text = "Pemerintah mengatakan kabut asap di Riau"
    tokens = analyze(text)
    assert [t["term"] for t in tokens] == ["pemerintah", "kata", "kabut", "asap", "riau"]
    assert [t["position"] for t in tokens] == [0, 1, 2, 3, 4]
    assert [text[t["start"]:t["end"]] for t in tokens] == ["Pemerintah", "mengatakan", "kabut", "asap", "Riau"]


def test_query_and_index_mode_agree():
    analyzer = indonesian_analyzer()
    text = "Pemerintah AS menegaskan perang dagang dengan Tiongkok"
    index_terms = [t.text for t in analyzer(text, mode="index")]
    query_terms = [t.text for t in analyzer(text, mode="query")]
    assert index_terms == query_terms


def test_analyzer_pickles_and_compares_equal():
    analyzer = indonesian_analyzer()
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    assert [t.text for t in copy("memakan negara-negara")] == ["makan", "negara"]
    assert len(pickle.dumps(analyzer)) < 2000            # no lexicon inside the default schema


def test_search_and_highlight_through_whoosh():
    ix = _index(["Pemerintah memerintahkan penyelidikan pembakaran hutan di Riau."])
    with ix.searcher() as searcher:
        query = qparser.QueryParser("body", ix.schema).parse("menyelidiki hutan terbakar")
        hits = searcher.search(query)
        assert len(hits) == 1
        hits.formatter = UppercaseFormatter()
        assert "PENYELIDIKAN" in hits[0].highlights("body")
        assert "PEMBAKARAN" in hits[0].highlights("body")


def test_analysis_version_is_a_string():
    assert isinstance(ANALYSIS_VERSION, str) and ANALYSIS_VERSION


# --- a lexicon derived from the corpus being indexed --------------------------

def test_derived_lexicon_learns_roots_and_names():
    texts = [
        "Warga dijarah. Mereka menjarah toko. Penjarahan terjadi lagi di kota Sukamaju.",
        "Toko dijarah massa, penjarahan meluas dan polisi menangkap penjarahnya di Sukamaju.",
        "Kata warga Sukamaju, massa menjarah dan dijarahnya toko itu kemarin.",
    ]
    from search.analysis.lexicon import ROOTS
    extra, names = derive(texts, trusted=ROOTS - {"jarah"}, min_patterns=3)
    assert "jarah" in extra
    assert "sukamaju" in names
    stemmer = Stemmer(roots=ROOTS - {"jarah"}, extra_roots=extra, names=names)
    assert stemmer.stem("penjarahan") == "jarah"
    analyzer = indonesian_analyzer(stemmer)
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer


@pytest.mark.parametrize("word, root", [("suaminya", "suami"), ("suamiku", "suami"), ("nilainya", "nilai"),
                                        ("kursinya", "kursi"), ("perempuannya", "perempuan"),
                                        ("selaku", "selaku")])
def test_the_lexicon_is_asked_before_a_derivational_suffix_comes_off(word, root):
    # suam, nila and kurs are roots too: suami + -nya is not suam + -i + -nya.
    assert stem(word) == root


# --- the root lists -----------------------------------------------------------

# Listed on purpose although the rules could derive them from a shorter root:
# the derivation would be wrong (tesis is not tes + -is, binatang is not
# batang + -in-) or would merge different words (ekonomis, ekonom).
NOT_DERIVED = {"tesis", "terapis", "organisme", "ringis", "ekonomis", "psikologis", "jurnalisme", "binatang"}


def test_no_root_is_a_loan_suffix_or_infix_form_of_another():
    """roots_news_id.txt's policy: what the rules derive with -isasi/-isme/-is or
    an infix (idealisme -> ideal, kinerja -> kerja) is not listed as a root."""
    from search.analysis.lexicon import NAMES, NEWS_ROOTS_FILE, ROOTS
    from search.analysis.stopwords import load_words

    def shorter(word: str) -> set[str]:
        """The roots ``word`` would come from by a loan suffix or an infix."""
        loan = {word[: -len(suffix)] for suffix in ("isasi", "isme", "is") if word.endswith(suffix)}
        infix = {word[0] + word[3:]} if word[1:3] in ("el", "em", "er", "in") else set()
        return (loan | infix) & ROOTS

    listed = load_words(NEWS_ROOTS_FILE) - NOT_DERIVED
    candidates = [word for word in sorted(listed) if shorter(word)]
    assert candidates, "the check found nothing to look at"
    derived = [(word, Stemmer(roots=ROOTS - {word}, names=NAMES).stem(word)) for word in candidates]
    assert not [(word, root) for word, root in derived if root in shorter(word)]


@pytest.mark.parametrize("word, root", [("idealisme", "ideal"), ("finalisasi", "final"),
                                        ("kinerja", "kerja"), ("rerata", "rata"),
                                        ("tesis", "tesis"), ("binatang", "binatang")])
def test_loan_suffixes_and_infixes(word, root):
    assert ROOTS_ONLY.stem(word) == root


# --- accuracy on the Sastrawi test pairs (data nobody here wrote) -------------

@pytest.mark.shared_data
@pytest.mark.parametrize("name, minimum", [("sastrawi_functional_pairs.tsv", 0.95),
                                           ("sastrawi_integration_pairs.tsv", 0.94)])
def test_accuracy_on_sastrawi_pairs(name, minimum):
    # integration: 33 of 35 since #14; the pair perusakan -> rusa is read
    # perusak + -an -> rusak (destruction, as kerusakan and merusak), the root
    # news uses, not rusa (deer) + -kan.
    from bench.stemming import accuracy, read_pairs

    from search.analysis.terms import root

    score, misses = accuracy(lambda word: root(word, ROOTS_ONLY.stem), read_pairs(shared_path("lang", name)))
    assert score >= minimum, misses


# --- helpers -----------------------------------------------------------------

def _index(bodies: list[str]):
    schema = fields.Schema(id=fields.STORED, body=fields.TEXT(analyzer=indonesian_analyzer(), stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for i, body in enumerate(bodies):
            writer.add_document(id=i, body=body)
    return ix


def _hits(searcher, parser, text: str) -> set[int]:
    return {hit["id"] for hit in searcher.search(parser.parse(text), limit=None)}


# --- stems that keep meaning apart, readings the lexicon allows twice (#14) ---

def test_a_derived_word_with_its_own_meaning_is_not_its_root():
    # meninggal (died) is not tinggal (stay): "warga meninggal" must not find
    # "Warga Negara Asing Tinggal di Pangandaran"
    assert terms("meninggal") != terms("tinggal")
    assert terms("meninggalnya") == terms("meninggal")           # inflections still meet


def test_every_kept_apart_word_is_analysed_to_its_listed_term():
    from search.analysis.lexicon import KEPT_APART
    assert KEPT_APART, "kept_apart_id.txt is missing or empty"
    for word, term in KEPT_APART.items():
        assert stem(word) == term
        assert stem(word + "nya") == term                        # -nya comes off, the term stays


def test_kept_apart_words_can_be_switched_off():
    plain = Stemmer(kept={})
    assert plain.stem("meninggal") == "tinggal"
    assert Stemmer(kept={"meninggal": "meninggal"}).stem("meninggal") == "meninggal"


@pytest.mark.parametrize("word, root", [
    ("penegakan", "tegak"), ("perbankan", "bank"), ("kerusakan", "rusak"), ("tarikan", "tarik"),  # k + -an
    ("katakan", "kata"), ("dikatakan", "kata"),                                                 # -kan
    ("terasa", "rasa"), ("perasaan", "rasa"), ("berasa", "rasa"),                               # te- + r
    ("terakhir", "akhir"), ("berubah", "ubah"),                                                 # ter-/ber- whole
])
def test_where_two_readings_reach_the_lexicon_the_root_news_uses_wins(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word, root", [
    ("mengeluarkan", "keluar"), ("pengeluaran", "keluar"),     # meN- + keluar, not menge- + luar
    ("mengebom", "bom"), ("pengeboman", "bom"), ("mengecat", "cat"),   # menge- before one syllable
])
def test_menge_stands_only_before_one_syllable_roots(word, root):
    assert ROOTS_ONLY.stem(word) == root


@pytest.mark.parametrize("word, root", [("ketahui", "tahu"), ("ketahuilah", "tahu")])
def test_a_bare_passive_verb_has_the_root_of_its_di_passive(word, root):
    assert stem(word) == root
    assert Stemmer(kept={}).stem("di" + word) == root


@pytest.mark.parametrize("word, root", [("dinilainya", "nilai"), ("dimulainya", "mulai"),
                                        ("membelinya", "beli")])
def test_a_possessive_does_not_change_which_affix_comes_off_first(word, root):
    assert Stemmer(kept={}).stem(word) == root


def test_root_use_only_breaks_ties_the_rules_cannot():
    no_use = Stemmer(kept={}, use={})
    assert no_use.stem("terasa") == "asa"                       # the rules' order alone
    assert Stemmer(kept={}, use={"asa": 1, "rasa": 5}).stem("terasa") == "rasa"
    assert Stemmer(kept={}, use={"asa": 5, "rasa": 1}).stem("terasa") == "asa"
    assert Stemmer(kept={}, use={"kata": 1, "katak": 9}).stem("mengatakan") == "kata"   # me- + -an is no confix
