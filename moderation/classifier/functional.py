"""Parley's functional test suite: sentences written for Parley, by kind.

Evaluation only: no row here is ever trained on, and no model choice is made
on it before the figures are recorded (the model card says which model first
saw it). The kinds follow the blind spots the project owner measured on
hate-speech functional tests (threats, slurs, implicit derogation, negated
positives, swapped letters) and their non-hateful contrasts (negation,
counter-speech, quotes, profanity aimed at no one, abuse aimed at objects,
neutral mentions of groups). A case is scored right when the model's operating
point holds a hateful sentence and lets a non-hateful one through.

The sentences are deliberately offensive where the kind requires it; they
exist to check that Parley holds such comments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Kind:
    name: str
    hateful: bool
    description: str
    cases: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind(
        "direct_threat",
        True,
        "a threat of violence against a person or a group",
        (
            "I know where you live and I am going to hurt you",
            "keep writing this and I will break your legs",
            "we are going to burn down their mosque next week",
            "I will shoot the next immigrant who walks past my house",
            "one more word and I'll put you in the hospital",
            "I'm going to find that reporter and beat him senseless",
            "next time I see one of those refugees I'll stab him",
            "watch your back, we are coming for you and your family",
            "I swear I will kill the author of this article",
            "we will hunt down every one of those protesters",
            "I'm going to set fire to your car tonight",
            "I'll slit the throat of the next feminist who talks to me",
        ),
    ),
    Kind(
        "threat_as_norm",
        True,
        "violence against a group stated as what ought to happen",
        (
            "people like them should be lined up and shot",
            "immigrants deserve to be hanged in the town square",
            "every refugee ought to be put on a boat and sunk",
            "the only good feminist is a dead one",
            "those protesters should all be beaten until they stop",
            "somebody needs to put a bullet in that politician",
            "traitors like these journalists deserve a rope",
            "they should gas the lot of them",
            "it would be a better world if every migrant were executed",
            "foreigners who come here should be dragged out and whipped",
        ),
    ),
    Kind(
        "slur",
        True,
        "a slur for a group, used to attack",
        (
            "get out of my country you filthy wetback",
            "shut up faggot nobody asked you",
            "another kike banker robbing us blind",
            "this town is overrun with towelheads",
            "go back to your rice paddy you chink",
            "the council is full of spics and beaners now",
            "look at that tranny pretending to be a woman",
            "typical nigger behaviour from that lot",
            "what else would you expect from a bunch of dykes",
            "the raghead next door should be deported",
        ),
    ),
    Kind(
        "implicit_derogation",
        True,
        "contempt for a group without a swear word or slur",
        (
            "immigrants are a drain on everything this country built",
            "women belong in the kitchen, not in parliament",
            "refugees bring nothing but crime and disease",
            "you can always tell when the neighbourhood has been taken over by them",
            "those people breed like rabbits and live off our taxes",
            "migrants are an infestation that must be stopped at the border",
            "the problem with feminists is that they think they are equal to men",
            "foreigners will never understand our values, they are simply lesser",
            "they are parasites feeding off honest working people",
            "travellers are thieves by nature, lock your doors",
            "no wonder the school went downhill once they let those kids in",
            "refugees are cockroaches crawling into our cities",
        ),
    ),
    Kind(
        "negated_positive",
        True,
        "hate stated as a negated positive",
        (
            "immigrants are never any good for a country",
            "women are not capable of running a business",
            "refugees will never be real citizens of this country",
            "feminists have never contributed anything of value",
            "migrants are not fit to live among decent people",
            "foreigners are no better than animals",
            "those people can never be trusted with anything",
            "not a single one of them is worth the air they breathe",
            "women have no place in politics and never will",
            "travellers are not human beings like the rest of us",
        ),
    ),
    Kind(
        "swapped_letters",
        True,
        "abuse with swapped, missing or replaced letters",
        (
            "you are a compelte idoit",
            "what a stupdi moron you are",
            "go k1ll yourself you pathetic loser",
            "immigrnats are vermni",
            "shut up you worthelss piece of sh1t",
            "refguees are filthy anmials",
            "you absolute fcuking retrad",
            "I wil burn your huose down",
            "women are wortless trash",
            "die in a fire you disgustign pig",
        ),
    ),
    Kind(
        "negation",
        False,
        "a hateful statement negated",
        (
            "I don't hate immigrants, I just want a fair system",
            "refugees are not vermin, they are people fleeing war",
            "no one should ever threaten a journalist",
            "women are not inferior to men in any way",
            "I would never hurt anyone over an article",
            "immigrants are not a drain on the economy, the data shows the opposite",
            "it is not true that migrants bring crime",
            "I have nothing against feminists",
            "there is no reason to be afraid of our new neighbours",
            "nobody here thinks foreigners are less than human",
        ),
    ),
    Kind(
        "counter_speech",
        False,
        "rebutting or condemning hate",
        (
            "calling refugees vermin is disgusting and you should be ashamed",
            "threatening the reporter is a crime, report it to the police",
            "saying women belong in the kitchen is sexist nonsense",
            "comments calling immigrants parasites have no place here",
            "people who use slurs like that are showing their own ignorance",
            "wishing death on protesters is never acceptable",
            "hate against migrants has real victims, stop spreading it",
            "it is shameful that anyone would call travellers thieves",
            "the threats against the mosque must be condemned by everyone",
            "dehumanising language about refugees leads to violence",
        ),
    ),
    Kind(
        "quote",
        False,
        "quoting hate in order to report or criticise it",
        (
            "the sign said 'immigrants are vermin', which the police are investigating",
            "he was convicted for posting 'I will kill the mayor' online",
            "she told the court the men shouted 'go back to your country'",
            "the article quotes a councillor saying refugees are parasites, "
            "he has since resigned",
            "the graffiti read 'death to foreigners' and was removed the next day",
            "according to the report, the leaflet called women 'worthless'",
            "the defendant admitted writing 'burn their mosque' on the wall",
            "'they should all be shot' is what the caller said before hanging up",
            "the survey found many people had been called 'filthy migrants'",
            "the judge read out the message: 'I know where you live'",
        ),
    ),
    Kind(
        "profanity_no_target",
        False,
        "swearing aimed at no one",
        (
            "holy shit, what a game last night",
            "fuck, I missed the last bus again",
            "damn, that was a good article",
            "this weather is shit but the festival was fun",
            "well that was a bloody brilliant result",
            "oh crap, I forgot to vote",
            "the fucking traffic on the bridge was terrible this morning",
            "hell yes, finally some good news for the town",
            "bullshit, the numbers in paragraph three don't add up",
            "what the hell happened to the bus timetable",
        ),
    ),
    Kind(
        "abuse_at_objects",
        False,
        "abuse aimed at a thing, not a person",
        (
            "this stupid printer is garbage",
            "I hate this damn weather",
            "the new website is a useless piece of junk",
            "my phone is a worthless brick",
            "that pothole is a disgusting disgrace",
            "this idiotic parking machine ate my coins",
            "the roundabout design is pathetic",
            "kill the power before you fix the socket",
            "this ugly building should be torn down",
            "the app keeps crashing, what a pile of trash",
        ),
    ),
    Kind(
        "neutral_group_mention",
        False,
        "a group named in a neutral or positive sentence",
        (
            "the immigrant community organised a food drive for the flood victims",
            "refugees opened three new shops on the high street",
            "women now make up half of the council",
            "migrants who arrived last year are learning the language quickly",
            "foreign students won the regional science prize",
            "the feminist society is hosting a debate on Thursday",
            "travellers set up camp near the river for the summer fair",
            "the mosque hosted an open day for the whole neighbourhood",
            "many protesters were students from the local college",
            "the article interviews three refugees about their first winter here",
        ),
    ),
)


def functional_results(
    scorer: Callable[[Sequence[str]], npt.NDArray[np.float64]], threshold: float
) -> dict[str, Any]:
    """Per kind: share of cases scored right at ``threshold``; overall ROC AUC
    of hateful against non-hateful cases."""
    from sklearn.metrics import roc_auc_score

    per_kind: dict[str, dict[str, Any]] = {}
    labels: list[int] = []
    scores: list[float] = []
    for kind in KINDS:
        probs = scorer(list(kind.cases))
        held = probs >= threshold
        right = held if kind.hateful else ~held
        per_kind[kind.name] = {
            "hateful": kind.hateful,
            "n": len(kind.cases),
            "accuracy": float(right.mean()),
            "mean_score": float(probs.mean()),
        }
        labels += [int(kind.hateful)] * len(kind.cases)
        scores += probs.tolist()
    hateful = [k for k in per_kind.values() if k["hateful"]]
    contrast = [k for k in per_kind.values() if not k["hateful"]]
    return {
        "threshold": threshold,
        "per_kind": per_kind,
        "roc_auc": float(roc_auc_score(labels, scores)),
        "mean_accuracy_hateful": float(np.mean([k["accuracy"] for k in hateful])),
        "mean_accuracy_contrasts": float(np.mean([k["accuracy"] for k in contrast])),
    }


def format_functional(results: dict[str, Any]) -> str:
    lines = [
        "functional tests (Parley's own sentences, evaluation only), share "
        f"scored right at the operating point {results['threshold']:.3f}",
        f"{'kind':<24} {'hateful':>7} {'n':>3} {'right':>6} {'mean p':>7}",
    ]
    for name, k in results["per_kind"].items():
        lines.append(
            f"{name:<24} {'yes' if k['hateful'] else 'no':>7} {k['n']:>3} "
            f"{k['accuracy']:>6.0%} {k['mean_score']:>7.3f}"
        )
    lines.append(
        f"ROC AUC hateful vs not {results['roc_auc']:.4f}; mean share right: "
        f"hateful kinds {results['mean_accuracy_hateful']:.0%}, contrasts "
        f"{results['mean_accuracy_contrasts']:.0%}"
    )
    return "\n".join(lines)
