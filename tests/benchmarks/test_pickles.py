"""The pickle counter names types one level into containers, counts every call and puts pickle back."""

import pickle
from collections import namedtuple

from benchmarks.pickles import counting_pickles, type_name

Token = namedtuple("Token", "kind value")


def test_type_names_look_one_level_into_containers():
    assert type_name(Token("a", "b")) == "Token(str,str)"
    assert type_name({3: [1.0]}) == "dict[int:list(float)]"
    assert type_name(((1, ("x",)),)) == "tuple(tuple(int,tuple))"
    assert type_name(()) == "tuple"


def test_counting_pickles_counts_calls_and_bytes_and_restores_dumps():
    original = pickle.dumps
    with counting_pickles() as counts:
        encoded = [pickle.dumps(Token("a", str(n))) for n in range(3)]
        pickle.dumps({1: 2})
    assert pickle.dumps is original
    assert counts.calls == {"Token(str,str)": 3, "dict[int:int]": 1}
    assert counts.bytes["Token(str,str)"] == sum(map(len, encoded))
    assert "Token(str,str)" in counts.table(top=1).splitlines()[1]
