"""A results list as stories: near-duplicates under their best-ranked
article, and a first page that no single publisher takes over.

**Grouping.** The index holds a sketch per article
(search/near_duplicates.py); the groups they form are found once per index
generation (:func:`groups_of`) and looked up per search. In a ranked list
the first article of a group stands for it and the group's other matching
articles leave the list; the hit keeps them (``Story.similar``), so a page
can say "+N similar" and show them.

**Diversity.** Among the first ``FIRST_PAGE`` stories (a first page at
the usual size, whatever the request's page size, so that pages of any
size list one order) drawn from the first ``POOL`` stories, a publisher
with more than half of them gives
its lower places to another publisher's story when that story scores at
least ``COMPARABLE`` of the one it displaces: a soft re-rank, so a
publisher that alone matches well keeps its places. Only relevance order
is re-ranked; the displaced stories open the next page.

Both are the request's choice (``group``, ``diverse``: off in
``Engine.search``, so rankings measured by the benchmarks stay the
engine's; on by default in the API and the pages). Both need more of the
ranking than one page, which :func:`ranking_depth` asks for.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from search.columns import read_column
from search.near_duplicates import find_groups

FIRST_PAGE = 10         # the stories diversity spreads: a first page at the usual size
POOL = 50               # stories (five pages) the first page's diversity draws from
EXTRA = 30              # ranked beyond the page, so collapsed duplicates leave it full
COMPARABLE = 0.8        # a story scoring this share of another's is as good a match
MAX_SIMILAR = 20        # similar articles kept per hit

_lock = threading.Lock()         # one thread builds a generation's groups


@dataclass
class Groups:
    """One index generation's stories: document -> its group's key (the
    smallest article id of the group, the same in every build of a folder)."""

    key: dict[int, str] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, reader, view) -> "Groups":
        roots = find_groups(read_column(reader, "sketch"), view.dates, view.live)
        by_root: dict[int, list[int]] = {}
        for n, r in roots.items():
            by_root.setdefault(r, []).append(n)
        groups = cls()
        for docs in by_root.values():
            name = min(view.ids[n] for n in docs)
            groups.members[name] = sorted(docs)
            for n in docs:
                groups.key[n] = name
        return groups


def groups_of(reader, view) -> Groups:
    """The groups of the view's index generation (built on first use and
    kept with the view: engines on two indexes in one process keep theirs)."""
    groups = getattr(view, "story_groups", None)
    if groups is not None:
        return groups
    with _lock:
        groups = getattr(view, "story_groups", None)
        if groups is None:
            groups = Groups.build(reader, view) if "sketch" in reader.schema else Groups()
            view.story_groups = groups
    return groups


@dataclass
class Story:
    docnum: int
    score: float
    group: str | None = None
    similar: list[int] = field(default_factory=list)   # the group's other matching articles, best first


def ranking_depth(request) -> int:
    """How much of the ranking the request's page needs."""
    if not (request.group or request.diverse):
        return request.depth
    return max(request.depth + EXTRA, POOL)


def arrange(ranked: list, groups: Groups, sources: list, request, listed=None) -> list[Story]:
    """``ranked`` ((docnum, score), best first) as the request shows it.

    ``listed``: every article the search lists, so a hit's ``similar``
    names its group's matching articles beyond the ranked ones too."""
    stories = collapse(ranked, groups, listed) if request.group else \
        [Story(n, s, groups.key.get(n)) for n, s in ranked]
    if request.diverse and request.sort == "relevance":
        stories = diversify(stories, sources)
    return stories


def collapse(ranked: list, groups: Groups, listed=None) -> list[Story]:
    stories: list[Story] = []
    leaders: dict[str, Story] = {}
    for n, score in ranked:
        name = groups.key.get(n)
        if name is None:
            stories.append(Story(n, score))
        elif name in leaders:
            continue                        # under its leader, who lists it below
        else:
            story = Story(n, score, name)
            leaders[name] = story
            stories.append(story)
    order = {n: i for i, (n, _) in enumerate(ranked)}
    for name, story in leaders.items():
        others = [m for m in groups.members[name] if m != story.docnum
                  and (m in order or (listed is not None and m in listed))]
        others.sort(key=lambda m: order.get(m, len(order)))
        story.similar = others[:MAX_SIMILAR]
    return stories


def diversify(stories: list[Story], sources: list, per_page: int = FIRST_PAGE) -> list[Story]:
    """The first page with no publisher over half of it while others match comparably."""
    pool = stories[:POOL]
    if not pool or pool[0].score <= 0:
        return stories              # not ranked by score (a query of filters only): nothing to compare
    cap = max(1, per_page // 2)
    page: list[Story] = []
    deferred: list[Story] = []
    counts: Counter = Counter()
    for i, story in enumerate(pool):
        if len(page) == per_page:
            deferred += pool[i:]
            break
        source = sources[story.docnum]
        if counts[source] >= cap and any(sources[o.docnum] != source and o.score >= COMPARABLE * story.score
                                         for o in pool[i + 1:]):
            deferred.append(story)
            continue
        page.append(story)
        counts[source] += 1
    return page + deferred + stories[len(pool):]
