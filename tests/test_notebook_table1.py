"""The Table 1 notebook runs end to end with papermill in the smoke preset."""

import pandas as pd
import papermill
import pytest


@pytest.mark.heavy
def test_table1_notebook_smoke(run_notebook):
    d = run_notebook("table1_symmetries", hidden=8)
    t = pd.read_csv(d["results"] / "table1.csv")
    cols = ["method", "property", "measured", "paper_claim", "agrees", "value", "detail"]
    assert set(cols) <= set(t.columns)
    assert len(t) == 15 and set(t["method"]) == {"reinforce", "metarnn", "symla"}
    cell = t.set_index(["method", "property"])["measured"]
    # the symmetry rows of the paper for MetaRNN and SymLA (the done-when)
    for prop in ("input_permutation_invariant", "action_permutation_equivariant"):
        assert cell["symla", prop] and not cell["metarnn", prop]
    assert cell["symla", "black_box"] and cell["metarnn", "black_box"]
    assert not cell["reinforce", "black_box"]
    assert (t["agrees"] == (t["measured"] == t["paper_claim"])).all()
    c = pd.read_csv(d["results"] / "table1_param_counts.csv")
    n = c.set_index(["method", "num_actions"])["meta_params"]
    assert n["symla", 2] == n["symla", 4] > 0 and n["metarnn", 2] < n["metarnn", 4]
    assert (d["results"] / "outputs" / "table1_symmetries.json").exists()


def test_table1_notebook_rejects_bad_parameters(run_notebook):
    with pytest.raises(papermill.PapermillExecutionError, match="hidden"):
        run_notebook("table1_symmetries", hidden="big")
