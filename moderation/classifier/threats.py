"""Threat sentences written for Parley, for training the THREAT head.

The sets labelled for threats (Gab ``cv``, EDOS category 1, implicit-hate
"threatening", toxic-spans "Threat" spans) are almost all calls for violence
against groups, so a personal threat ("I will find you and hurt you") read as
nothing to the THREAT head. These rows add personal, conditional and implicit
threats and threats stated as norms, each beside non-threats that use the same
words: friendly promises in the same frames, violence reported as news, idioms,
sport and game talk, and threats rebutted or reported.

Frames and word lists here are Parley's own. They share no sentence shape and
no slot word with the sentences models are chosen on (``threat_check.py``,
tested in ``tests/classifier/test_training.py``) nor any sentence with the
functional suite (``functional.py``, evaluation only).

The threatening sentences are deliberately violent; they exist so that Parley
holds such comments.
"""

from __future__ import annotations

import hashlib

from moderation.classifier.data import Example

SOURCE = "augment-threat"

# Every attribute of a non-threat row is 0; a threat row is a THREAT only
# (whether it insults or is severe is left to the sets that label those).
_NOT_ANY = {
    "threat": 0,
    "insult": 0,
    "obscene": 0,
    "identity_attack": 0,
    "severe": 0,
}
_THREAT = {"threat": 1}

# Personal and conditional threats: a frame, a verb aimed at "you".
PERSONAL_FRAMES = (
    "i will {v} you",
    "i am going to {v} you",
    "mark my words, i will {v} you",
    "say that to my face and i will {v} you",
    "if you post here again i will {v} you",
    "when i find you i will {v} you",
    "we will come to your house and {v} you",
    "one day soon i will {v} you",
    "nobody will save you when i {v} you",
    "i will wait outside your office and {v} you",
)
VIOLENT_VERBS = (
    "hurt", "kill", "stab", "strangle", "punch", "choke", "shoot", "drown",
    "smash", "batter", "cripple", "gut", "beat", "murder", "slap", "kick",
    "burn", "break",
)  # fmt: skip
# The same frames with verbs nobody fears: the frame alone is no threat.
FRIENDLY_VERBS = (
    "call", "thank", "help", "visit", "hug", "answer", "email", "meet",
    "support", "forgive", "invite", "pay", "remember", "congratulate",
    "applaud", "cheer", "follow", "believe",
)  # fmt: skip

# Threats with no violent word in them.
IMPLICIT_THREATS = (
    "i will find you and you will regret it",
    "i know what car you drive and where you park it",
    "you will not be safe on your way home tonight",
    "enjoy your last week on this earth",
    "you have no idea what is coming for you",
    "sleep well, it may be your last night",
    "i have your address now, see you soon",
    "it would be a shame if something happened to your children",
    "you will disappear and nobody will look for you",
    "i am outside your house right now",
    "you are a dead man",
    "you will pay for this with your life",
    "be careful when you start your car in the morning",
    "i will make sure you never write again",
    "people like you end up in the river",
    "you won't see the end of the month",
    "we are watching your house",
    "next time we meet you leave in an ambulance",
    "i will teach you a lesson you will never forget",
    "your family should start planning your funeral",
)

# Violence stated as what ought to happen to people.
NORM_FRAMES = (
    "{g} should be {p}",
    "{g} deserve to be {p}",
    "all {g} ought to be {p}",
    "someone has to make sure {g} get {p}",
    "the country would be better if {g} were {p}",
    "i hope {g} get {p} soon",
)
GROUPS = (
    "politicians", "journalists", "bankers", "landlords", "cyclists",
    "lawyers", "the judges", "the councillors", "referees", "these commenters",
    "tax collectors", "celebrities",
)  # fmt: skip
PARTICIPLES = (
    "shot", "hanged", "beaten", "stabbed", "executed", "burned alive",
    "strung up", "tortured", "killed", "drowned", "lynched",
    "put against a wall",
)  # fmt: skip
# The same frames with a good turn: "should be" alone is no threat.
KIND_PARTICIPLES = (
    "paid fairly", "thanked publicly", "commended", "listened to", "re-elected",
    "given a pay rise", "supported", "respected", "consulted", "trusted",
    "encouraged", "protected",
)  # fmt: skip

# Violence reported, not wished: the same participles in news sentences.
NEWS_FRAMES = (
    "police say a man was {p} outside the pub on friday",
    "the report says two soldiers were {p} near the border",
    "the trial heard that the victim was {p} in her home",
    "a teenager was {p} in the park, according to officers",
)
# Threats rebutted or reported: the same violent verbs, said against them.
REBUTTAL_FRAMES = (
    "it is never ok to tell someone you will {v} them",
    "the man who wrote that he would {v} his ex was sentenced today",
    "writing that you want to {v} a stranger online can land you in court",
    "the mods removed a post promising to {v} the author, good",
)
# Violent words in idioms, sport and games.
IDIOM_FRAMES = ("{x} is killing me", "{x} will be the death of me")
IDIOM_THINGS = (
    "this traffic", "this heat", "my back", "the commute", "this homework",
    "the suspense", "my knee", "this queue", "the noise next door", "this cold",
)  # fmt: skip
FOOD = ("curry", "pint", "bacon sandwich", "cup of tea", "pizza", "burger")
SPORT_FRAMES = (
    "we will {s} them on saturday",
    "our team is going to {s} the visitors",
    "i will {s} you at {game}",
    "my brother is going to {s} me at {game} again",
)
SPORT_VERBS = (
    "destroy", "crush", "thrash", "hammer", "smash", "beat", "bury", "murder",
    "annihilate", "slaughter",
)  # fmt: skip
GAMES = ("chess", "darts", "tennis", "poker", "snooker", "monopoly", "golf")
MISC_NON_THREATS = (
    "the band killed it last night",
    "she absolutely slayed her speech",
    "the comedian destroyed the crowd",
    "we got slaughtered in the pub quiz",
    "break a leg at the audition",
    "the new budget will kill small shops",
    "this rain is murdering my garden",
    "the goalkeeper saved a shot from point blank range",
    "they shot the film in two weeks",
    "the bill was killed in committee",
    "i nearly died laughing at that column",
    "the striker was on fire in the second half",
)


# One row in this many (by a hash of its text) is a ``val`` row: the TOXICITY
# stacker can be fitted on them (``stack_sources``), so that it learns how much
# the THREAT head should count; the heads never train on them.
VAL_EVERY = 5


def _split(text: str) -> str:
    digest = hashlib.sha256(("threat-val" + text).encode()).digest()
    return "val" if digest[0] % VAL_EVERY == 0 else "train"


def threat_augmentation() -> list[Example]:
    """Threats (1, THREAT) and non-threats with the same words (0, nothing)."""
    out: list[Example] = []

    def add(text: str, label: int) -> None:
        categories = dict(_THREAT if label else _NOT_ANY)
        out.append(Example(text, label, SOURCE, _split(text), categories=categories))

    for frame in PERSONAL_FRAMES:
        for verb in VIOLENT_VERBS:
            add(frame.format(v=verb), 1)
        for verb in FRIENDLY_VERBS:
            add(frame.format(v=verb), 0)
    for text in IMPLICIT_THREATS:
        add(text, 1)
    turn = 0
    for frame in NORM_FRAMES:
        for participles, label in ((PARTICIPLES, 1), (KIND_PARTICIPLES, 0)):
            for participle in participles:
                add(frame.format(g=GROUPS[turn % len(GROUPS)], p=participle), label)
                turn += 1
    for frame in NEWS_FRAMES:
        for participle in PARTICIPLES:
            add(frame.format(p=participle), 0)
    for frame in REBUTTAL_FRAMES:
        for verb in VIOLENT_VERBS:
            add(frame.format(v=verb), 0)
    for frame in IDIOM_FRAMES:
        for thing in IDIOM_THINGS:
            add(frame.format(x=thing), 0)
    for food in FOOD:
        add(f"i could murder a {food}", 0)
    turn = 0
    for frame in SPORT_FRAMES:
        for verb in SPORT_VERBS:
            add(frame.format(s=verb, game=GAMES[turn % len(GAMES)]), 0)
            turn += 1
    for text in MISC_NON_THREATS:
        add(text, 0)
    return out
