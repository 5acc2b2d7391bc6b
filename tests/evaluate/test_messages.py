"""The engine's words around a policy's own message, in each language."""
from __future__ import annotations

from scanner.evaluate import messages


def test_an_undecided_check_reads_as_a_sentence_in_both_languages(catalogue):
    """The policy title is a statement ("Nodes have no public IP addresses"); Dutch puts the verb of a
    subordinate clause last, so the title is quoted as the criterion rather than made the clause."""
    policy = next(p for p in catalogue if p.id == "HAVEN-006")
    assert messages.undecided(policy, "aws_eks_node_group.batch", "module.vpc", "en") == (
        "aws_eks_node_group.batch: could not verify nodes have no public IP addresses: module.vpc is not known "
        "statically")
    assert messages.undecided(policy, "aws_eks_node_group.batch", "module.vpc", "nl") == (
        'aws_eks_node_group.batch: kon niet nagaan of is voldaan aan "nodes hebben geen publieke IP-adressen": '
        "module.vpc is statisch niet bekend")
