"""Item and bundle search for the intake screen: Chinese, full pinyin, initials, codes.

Pure domain. Everything costly (pinyin conversion, sorting) happens once in
``SearchIndex.build``; a keystroke only does binary searches over sorted key lists, set
operations on precomputed postings and a top-k selection, all in C-level built-ins.

Match tiers, best first:
  0 exact: the query is a whole name, keyword, code, full pinyin or initials string;
  1 prefix: one of those starts with the query;
  2 inside: a Chinese substring, or pinyin/initials starting at a later syllable.
Within a tier: usage (frequency decayed by recency), then bundles before items, then items this
window can take before signposts, then shorter names, then catalogue order.

pypinyin is imported lazily inside ``build`` so importing this module stays cheap.
"""
from __future__ import annotations

import heapq
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable, Iterator, Literal

from . import limits
from .catalogue import Bundle, Catalogue, Item
from .rules import CITY_SCOPE, WindowScope

Kind = Literal["item", "bundle"]

# Recency half-life for usage ranking: a use 14 days older counts half as much.
HALF_LIFE_SECONDS = 14 * 86400
# Highest tier number; score = (TIER_INSIDE - tier) + usage share in [0, 1).
# LITERAL: the query is a name, keyword or code as written (the alias "kfd" a catalogue lists
# beats another entry whose keyword 开饭店 merely has the initials kfd).
TIER_LITERAL, TIER_EXACT, TIER_PREFIX, TIER_INSIDE = 0, 1, 2, 3
# Bumped whenever the tables, the keys built from a name or the ranking inputs change: a
# cached ``state()`` of another format is rebuilt, never searched.
STATE_FORMAT = 1
_KEY_END = "\U0010ffff"  # sorts after every key: [q, q + _KEY_END) is "starts with q"


@dataclass(frozen=True, slots=True)
class Hit:
    kind: Kind
    code: str
    name: str
    score: float  # higher is better; tier dominates, usage breaks ties
    signpost: bool  # this window cannot take it: tell where to go (设路标)
    detail: str  # one line for the result list, in Chinese


def normalize(text: str) -> str:
    """Fold what a clerk may type into what the index stores: NFKC (full-width letters and
    digits from an IME), lower case, no spaces or apostrophes (ka'fei), ü typed as v."""
    s = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in s.replace("ü", "v") if not ch.isspace() and ch not in "'’")


def usage_weight(count: int, last_used: float, now: float) -> float:
    """Frecency: the use count, halved for every HALF_LIFE_SECONDS since the last use.
    ``last_used`` <= 0 means the time is not known: the count stands undecayed."""
    if count <= 0:
        return 0.0
    if last_used <= 0:
        return float(count)
    age = max(0.0, now - last_used)
    return float(count * 0.5 ** (age / HALF_LIFE_SECONDS))


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: Kind
    code: str
    name: str
    signpost: bool
    detail: str
    texts: tuple[str, ...]  # normalised name and keywords (Chinese substring matching)
    order: int  # position in the catalogue


@dataclass(frozen=True, slots=True)
class _Tables:
    """What a keystroke searches; built once, shared by re-ranked copies of the index."""

    entries: list[_Entry]
    start_keys: list[str]  # sorted whole keys: names, keywords, codes, pinyin, initials
    start_owners: list[int]  # entry index of each start key
    inner_keys: list[str]  # sorted pinyin/initials suffixes beginning at a later syllable
    inner_owners: list[int]
    literal: dict[str, frozenset[int]]  # name/keyword/code as written -> entries
    exact: dict[str, frozenset[int]]  # whole key -> entries
    postings: dict[str, frozenset[int]]  # non-ASCII character -> entries containing it
    haystacks: list[str]  # per entry: its texts joined by "\0", for substring checks


class SearchIndex:
    """Immutable index; ``with_usage`` returns a re-ranked copy without re-reading pinyin."""

    def __init__(self, tables: _Tables, usage: dict[str, tuple[int, float]] | None = None,
                 now: float | None = None) -> None:
        self._t = tables
        self._rank_by_usage(usage or {}, now)

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(cls, catalogue: Catalogue, usage: dict[str, tuple[int, float]] | None = None,
              scope: WindowScope = CITY_SCOPE, now: float | None = None) -> "SearchIndex":
        """Index every bundle and item of the catalogue.

        ``usage`` maps an item or bundle code to (use count, last use as epoch seconds);
        ``now`` is the reference time for recency (default: the latest use in ``usage``).
        ``scope`` decides which items are signposts for this window.
        """
        from pypinyin import Style, pinyin

        def spellings(text: str) -> tuple[list[str], list[list[str]]]:
            """Syllables (pypinyin's choice in context) and, per syllable, every initial
            pypinyin offers for it (polyphones such as 行 x/h)."""
            full, initials = [], []
            for readings in pinyin(text, style=Style.NORMAL, heteronym=True):
                seg = "".join(ch for ch in normalize(readings[0]) if ch.isalnum())
                if not seg:
                    continue  # punctuation
                full.append(seg)
                if readings[0] in text:  # not Chinese (KTV, 3C): the letters themselves
                    initials.append([seg])
                else:
                    initials.append(list(dict.fromkeys([seg[0], *(normalize(r)[:1] for r in readings[1:])])))
            return full, initials

        def keys_of(text: str) -> tuple[list[str], list[str]]:
            """Whole keys (full pinyin, initials incl. polyphone variants) and later-syllable
            suffixes of one normalised text."""
            full, initials = spellings(text)
            variants = [[alts[0] for alts in initials]]
            # polyphones: one alternative at a time keeps this linear in the name length
            for pos, alts in enumerate(initials):
                for alt in alts[1:]:
                    variants.append([alt if j == pos else a[0] for j, a in enumerate(initials)])
            whole: list[str] = [text]
            suffixes: list[str] = []
            for parts in (full, *variants):
                if parts:
                    whole.append("".join(parts))
                    suffixes.extend("".join(parts[i:]) for i in range(1, len(parts)))
            return whole, suffixes

        cache: dict[str, tuple[list[str], list[str]]] = {}
        entries: list[_Entry] = []
        start: dict[str, set[int]] = {}
        inner: dict[str, set[int]] = {}
        postings: dict[str, set[int]] = {}
        literal: dict[str, set[int]] = {}

        def index_text(raw: str, owner: int) -> str:
            text = normalize(raw)
            if not text:
                return text
            for ch in text:
                if not ch.isascii():
                    postings.setdefault(ch, set()).add(owner)
            literal.setdefault(text, set()).add(owner)
            if text not in cache:
                cache[text] = keys_of(text)
            whole, suffixes = cache[text]
            for key in whole:
                start.setdefault(key, set()).add(owner)
            for key in suffixes:
                inner.setdefault(key, set()).add(owner)
            return text

        def add(kind: Kind, code: str, name: str, keywords: Iterable[str], signpost: bool,
                detail: str, codes: Iterable[str]) -> None:
            owner = len(entries)
            texts = tuple(t for t in (index_text(w, owner) for w in (name, *keywords)) if t)
            for c in codes:
                if normalize(c):
                    start.setdefault(normalize(c), set()).add(owner)
                    literal.setdefault(normalize(c), set()).add(owner)
            entries.append(_Entry(kind, code, name, signpost, detail, texts, owner))

        for bundle in catalogue.bundles.values():
            add("bundle", bundle.code, bundle.name, bundle.keywords,
                *_bundle_scope(catalogue, bundle, scope), codes=(bundle.code,))
        for item in catalogue.items.values():
            signpost = not scope.takes(item)
            add("item", item.code, item.name, item.keywords, signpost,
                _item_detail(catalogue, item, signpost), codes=(item.code, item.base_code))

        start_keys, start_owners = _flatten(start)
        inner_keys, inner_owners = _flatten(inner)
        tables = _Tables(
            entries, start_keys, start_owners, inner_keys, inner_owners,
            {k: frozenset(v) for k, v in literal.items()},
            {k: frozenset(v) for k, v in start.items()},
            {k: frozenset(v) for k, v in postings.items()},
            ["\0".join(e.texts) for e in entries],
        )
        return cls(tables, usage, now)

    def state(self) -> tuple:
        """The built tables as plain tuples, lists, dicts and strings (no usage), for a cache
        file: ``from_state(index.state())`` searches exactly like ``index``."""
        t = self._t
        return (STATE_FORMAT, [(e.kind, e.code, e.name, e.signpost, e.detail, e.texts, e.order)
                               for e in t.entries],
                t.start_keys, t.start_owners, t.inner_keys, t.inner_owners,
                *({k: tuple(v) for k, v in table.items()}
                  for table in (t.literal, t.exact, t.postings)))

    @classmethod
    def from_state(cls, state: tuple, usage: dict[str, tuple[int, float]] | None = None,
                   now: float | None = None) -> "SearchIndex":
        """The index ``state()`` described; ValueError if ``state`` is not such a value."""
        try:
            fmt, entries, start_keys, start_owners, inner_keys, inner_owners, *maps = state
            if fmt != STATE_FORMAT or len(maps) != 3:
                raise ValueError(f"search index state format {fmt!r}")
            rows = [_Entry(*row) for row in entries]
            literal, exact, postings = ({k: frozenset(v) for k, v in m.items()} for m in maps)
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"not a search index state: {exc}") from None
        if len(start_keys) != len(start_owners) or len(inner_keys) != len(inner_owners):
            raise ValueError("search index state: keys and owners differ in length")
        tables = _Tables(rows, start_keys, start_owners, inner_keys, inner_owners, literal, exact,
                         postings, ["\0".join(e.texts) for e in rows])
        return cls(tables, usage, now)

    def with_usage(self, usage: dict[str, tuple[int, float]], now: float | None = None) -> "SearchIndex":
        """The same index ranked by new usage figures (cheap: no pinyin, no key sorting)."""
        return SearchIndex(self._t, usage, now)

    def _rank_by_usage(self, usage: dict[str, tuple[int, float]], now: float | None) -> None:
        if now is None:
            now = max((last for _, last in usage.values()), default=0.0)
        entries = self._t.entries
        weights = [usage_weight(*usage.get(e.code, (0, 0.0)), now) for e in entries]
        order = sorted(
            range(len(entries)),
            key=lambda i: (-weights[i], entries[i].kind != "bundle", entries[i].signpost,
                           len(entries[i].name), entries[i].order),
        )
        rank = [0] * len(order)
        for pos, i in enumerate(order):
            rank[i] = pos
        self._rank = rank
        self._by_rank = order
        self._usage_share = [w / (1.0 + w) for w in weights]  # in [0, 1)

    # -- searching ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._t.entries)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Best matches first; an empty query lists the most used and recent, then bundles."""
        if limit <= 0:
            return []
        q = normalize(query[:limits.SEARCH])  # a stuck key or a record typed in: its start
        if not q:
            return [self._hit(i, TIER_INSIDE) for i in self._by_rank[:limit]]
        tiers = self._match(q)
        hits: list[Hit] = []
        seen: set[int] = set()
        for tier, owners in enumerate(tiers):
            fresh = owners - seen if seen else owners
            if not fresh:
                continue
            need = limit - len(hits)
            best = heapq.nsmallest(need, fresh, key=self._rank.__getitem__)
            hits.extend(self._hit(i, tier) for i in best)
            if len(hits) >= limit:
                break
            seen |= fresh
        return hits

    def _match(self, q: str) -> Iterator[set[int] | frozenset[int]]:
        """The entries of each tier, best tier first; lazily, so a short query whose exact
        and prefix matches already fill the list never computes the inside matches."""
        t = self._t
        yield t.literal.get(q, frozenset())
        yield t.exact.get(q, frozenset())
        yield set(_range(t.start_keys, t.start_owners, q))
        if q.isascii():
            yield set(_range(t.inner_keys, t.inner_owners, q))
        else:
            yield self._substring(q)

    def _substring(self, q: str) -> set[int]:
        postings = self._t.postings
        wide = sorted({ch for ch in q if not ch.isascii()}, key=lambda ch: len(postings.get(ch, ())))
        if not wide:
            return set()
        candidates = set(postings.get(wide[0], ()))
        for ch in wide[1:]:
            candidates &= postings.get(ch, frozenset())
            if not candidates:
                return candidates
        if len(q) == 1:
            return candidates
        hay = self._t.haystacks
        return {i for i in candidates if q in hay[i]}

    def _hit(self, i: int, tier: int) -> Hit:
        e = self._t.entries[i]
        score = float(TIER_INSIDE - tier) + self._usage_share[i]
        return Hit(e.kind, e.code, e.name, score, e.signpost, e.detail)


def _flatten(keyed: dict[str, set[int]]) -> tuple[list[str], list[int]]:
    """Sorted parallel lists (key repeated once per owner) for binary search."""
    keys: list[str] = []
    owners: list[int] = []
    for key in sorted(keyed):
        group = keyed[key]
        keys.extend([key] * len(group))
        owners.extend(group)
    return keys, owners


def _range(keys: list[str], owners: list[int], q: str) -> list[int]:
    lo = bisect_left(keys, q)
    hi = bisect_left(keys, q + _KEY_END, lo)
    return owners[lo:hi]


def _item_detail(catalogue: Catalogue, item: Item, signpost: bool) -> str:
    dept = catalogue.departments.get(item.dept)
    dept_name = dept.short_name if dept else item.dept
    if signpost:
        where = dept.hall if dept and dept.hall else dept_name
        return f"本窗口不能受理 · 请到{where}办理（{item.level.label}）"
    return f"{dept_name} · {item.type_label} · {item.case_type.label}"


def _bundle_scope(catalogue: Catalogue, bundle: Bundle, scope: WindowScope) -> tuple[bool, str]:
    items = [catalogue.items[c] for c in bundle.items if c in catalogue.items]
    elsewhere = sum(1 for i in items if not scope.takes(i))
    signpost = bool(items) and elsewhere == len(items)
    detail = f"一件事 · {len(items)} 个事项"
    if signpost:
        detail += " · 本窗口均不能受理"
    elif elsewhere:
        detail += f" · 其中 {elsewhere} 项需到他处办理"
    return signpost, detail
