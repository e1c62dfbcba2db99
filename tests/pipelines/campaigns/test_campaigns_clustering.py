"""Union-find components: transitive, mergeable across workers, and linear on long chains."""

import pickle
import random

from pipelines.campaigns.attachment import ClustersFn, clusters
from pipelines.campaigns.clustering import UnionFind
from pipelines.campaigns.config import CampaignConfig

CONFIG = CampaignConfig()


def test_groups_join_transitively_into_sorted_components():
    groups = [("b", "a"), ("c", "b"), ("x", "y"), ("q",)]
    assert clusters(groups, [], CONFIG) == [("a", "b", "c"), ("x", "y")]
    assert clusters(groups, [], CONFIG, min_size=3) == [("a", "b", "c")]


def test_partial_forests_merge_to_the_forest_of_all_groups():
    rng = random.Random(7)
    nodes = [f"n{i}" for i in range(300)]
    groups = [tuple(rng.sample(nodes, rng.randint(2, 4))) for _ in range(150)]
    combine = ClustersFn(CONFIG, min_size=2)
    partials = []
    for part in (groups[:50], groups[50:120], groups[120:]):
        forest = combine.create_accumulator()
        for group in part:
            combine.add_input(forest, group)
        partials.append(pickle.loads(pickle.dumps(forest)))  # shipped between workers
    assert combine.extract_output(combine.merge_accumulators(partials)) == clusters(groups, [], CONFIG)


def test_a_long_chain_is_one_component_without_deep_recursion():
    forest = UnionFind()
    for i in range(200_000):
        forest.union(f"n{i}", f"n{i + 1}")
    (component,) = forest.components()
    assert len(component) == 200_001
    assert forest.find("n0") == forest.find("n200000")
