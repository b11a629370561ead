"""The catalogue model owns its invariants (domain.catalogue.catalogue_problem): an
inconsistent catalogue cannot be built, whoever builds it (the file loader, a stored or synced
copy, a generator), and the refusal says in Chinese what does not fit."""
from __future__ import annotations

from dataclasses import replace

import pytest

from clerk_console.datafiles.catalogue import CatalogueError, catalogue_from_dict, catalogue_to_dict
from clerk_console.domain.catalogue import (Bundle, Catalogue, CatalogueInvalid, ItemMaterial,
                                            MaterialSpec, catalogue_problem)
from clerk_console.domain.errors import RuleError

from conftest import small_catalogue

GOOD = small_catalogue()


def parts(cat: Catalogue = GOOD) -> dict:
    return {"version": cat.version, "departments": dict(cat.departments),
            "materials": dict(cat.materials), "items": dict(cat.items),
            "bundles": dict(cat.bundles), "elicence_types": dict(cat.elicence_types)}


def some_item():
    return next(iter(GOOD.items.values()))


def broken(**change) -> dict:
    p = parts()
    for table, (code, value) in change.items():
        if value is None:
            del p[table][code]
        else:
            p[table][code] = value
    return p


def test_the_fixture_catalogue_is_consistent():
    assert catalogue_problem(GOOD) == ""


@pytest.mark.parametrize("make, refusal", [
    (lambda: broken(items=(some_item().code, replace(some_item(), dept="NOPE"))),
     "的部门 NOPE 不在部门目录中"),
    (lambda: broken(items=(some_item().code, replace(some_item(), materials=some_item().materials
                                                     + (ItemMaterial("ghost", False),)))),
     "的材料 ghost 不在材料目录中"),
    (lambda: broken(items=(some_item().code, replace(some_item(), materials=some_item().materials
                                                     + some_item().materials[:1]))),
     "重复列出"),
    (lambda: broken(items=("ALIAS", some_item())), "登记在 ALIAS 之下"),
    (lambda: broken(bundles=("B", Bundle("B", "开办", "industry", ("NOPE",)))),
     "的事项 NOPE 不在事项目录中"),
    (lambda: broken(bundles=("B", Bundle("B", "开办", "industry", ()))), "至少包含一个事项"),
    (lambda: broken(bundles=("B", Bundle("B", "开办", "industry", (some_item().code,),
                                         optional=(some_item().code,)))), "同一事项重复列出"),
    (lambda: broken(materials=("ELIC", MaterialSpec("ELIC", "证照", elicence_type="zz")),
                    elicence_types=("x", "某证")), "电子证照类型 zz 未定义"),
])
def test_an_inconsistent_catalogue_is_refused_at_construction(make, refusal):
    with pytest.raises(CatalogueInvalid, match=refusal) as err:
        Catalogue(**make())
    assert isinstance(err.value, RuleError)  # a ClerkError: its Chinese message is shown


def test_a_department_referred_to_cannot_be_dropped():
    dept = some_item().dept
    with pytest.raises(CatalogueInvalid, match=f"部门 {dept} 不在部门目录中"):
        Catalogue(**broken(departments=(dept, None)))


def test_a_stored_catalogue_that_does_not_fit_is_refused_as_a_catalogue_error():
    d = catalogue_to_dict(GOOD)
    d["bundles"].append({"code": "B", "name": "开办", "kind": "industry", "items": ["NOPE"],
                         "description": "", "keywords": [], "optional": []})
    with pytest.raises(CatalogueError, match="事项 NOPE 不在事项目录中，请重新同步事项目录"):
        catalogue_from_dict(d)
