"""Demo stories and discussions, written for Parley's demo (not taken from anywhere).

Each comment is (key, parent key or None, author username, text). Civil comments are
loaded as published; the uncivil ones (marked with `UNCIVIL`) go through the real
moderation pipeline so the moderators' queues have something to decide.
"""

from typing import NamedTuple, TypedDict


class DemoComment(NamedTuple):
    key: str
    parent: str | None
    author: str
    body: str
    uncivil: bool = False


class DemoStory(TypedDict):
    slug: str
    title: str
    standfirst: str
    byline: str
    section: str
    hours_ago: int
    body: str
    comments: list[DemoComment]


READERS = {
    "marta": "Marta K",
    "owen": "Owen from Leith",
    "priya": "Priya S",
    "dan": "DanTheFan",
    "lucia": "Lucia Romero",
    "grumpy": "Grumpy Commuter",
    "tom": "Tom W",
    "sam": "Sam Okafor",
}

STORIES: list[DemoStory] = [
    {
        "slug": "ceasefire-talks-resume-in-geneva",
        "title": "Ceasefire talks resume in Geneva after six-week pause",
        "standfirst": "Negotiators return to the table with a new proposal on "
        "humanitarian corridors and prisoner exchanges.",
        "byline": "Hanna Lindqvist, diplomatic correspondent",
        "section": "World",
        "hours_ago": 5,
        "body": "Delegations from both sides arrived in Geneva on Tuesday morning for "
        "the first direct talks since the previous round collapsed in early "
        "autumn.\n\nMediators said the agenda would open with humanitarian corridors "
        "for the coastal towns, followed by a phased exchange of prisoners. A "
        'spokesperson for the mediation team described the mood as "cautious but '
        'serious".\n\nObservers note that neither side has yet agreed to discuss '
        "the disputed border districts, which wrecked the last round.",
        "comments": [
            DemoComment(
                "a1",
                None,
                "marta",
                "Corridors first is the right call. "
                "Whatever happens with the border, people in those towns "
                "need food and medicine now.",
            ),
            DemoComment(
                "a1b",
                None,
                "regular",
                "I have read this paper's coverage of the talks for years; the "
                "map in today's print edition is the clearest yet.",
            ),
            DemoComment(
                "a2",
                "a1",
                "owen",
                "Agreed, though the last corridor deal "
                "lasted four days. What is different this time?",
            ),
            DemoComment(
                "a3",
                "a2",
                "priya",
                "Independent monitors, according to the "
                "mediators' statement last week. That was the missing piece "
                "in the spring agreement.",
            ),
            DemoComment(
                "a4",
                "a3",
                "owen",
                "Fair point. If the monitors have real access, that changes things.",
            ),
            DemoComment(
                "a5",
                "a4",
                "lucia",
                "Access was promised last time too. I "
                "will believe it when the first convoy gets through.",
            ),
            DemoComment(
                "a6",
                "a5",
                "marta",
                "Cautious optimism is still optimism. I will take it.",
            ),
            DemoComment(
                "a7",
                "a6",
                "priya",
                "The prisoner exchange is the real test, "
                "in my view. Lists of names are easy to verify.",
            ),
            DemoComment("a8", "a7", "owen", "And easy to dispute. Let us see."),
            DemoComment(
                "a9",
                None,
                "tom",
                "Six weeks of nothing and now a photo "
                "opportunity. Forgive me if I am not excited.",
            ),
            DemoComment(
                "a10",
                "a9",
                "sam",
                "Talking is better than not talking. "
                "Every ceasefire that held started with a round that looked "
                "like this.",
            ),
            DemoComment(
                "a11",
                "a10",
                "grumpy",
                "Only an idiot would believe a word "
                "these people say. You are all morons for falling for it.",
                uncivil=True,
            ),
            DemoComment(
                "a12",
                None,
                "lucia",
                "Does anyone know whether the talks "
                "will be streamed, or only the closing statements?",
            ),
            DemoComment(
                "a13",
                "a12",
                "marta",
                "Only the statements, I think. There "
                "is a briefing each evening at 7pm local time.",
            ),
        ],
    },
    {
        "slug": "council-approves-riverside-cycle-lanes",
        "title": "Council approves riverside cycle lanes after heated meeting",
        "standfirst": "Councillors voted 7 to 5 for the scheme, which removes 80 "
        "parking spaces on Mill Road.",
        "byline": "Jamie Clarke, local government reporter",
        "section": "Local",
        "hours_ago": 26,
        "body": "The planning committee approved the riverside cycle lanes on "
        "Thursday evening after a three-hour meeting in which more than forty "
        "residents spoke.\n\nThe scheme adds a protected two-way lane from the "
        "station to the new bridge and removes 80 parking spaces on Mill Road. "
        "Shop owners on the road asked for a loading bay, which the committee "
        "added as a condition.\n\nWork is expected to start in the spring and to "
        "take about five months.",
        "comments": [
            DemoComment(
                "b1",
                None,
                "grumpy",
                "Eighty spaces gone. Where exactly are shoppers supposed to park now?",
            ),
            DemoComment(
                "b2",
                "b1",
                "priya",
                "The multi-storey on Station Street is "
                "half empty most days, it is a four-minute walk.",
            ),
            DemoComment(
                "b3",
                "b2",
                "grumpy",
                "Four minutes with a pushchair in the rain is not nothing.",
            ),
            DemoComment(
                "b4",
                "b3",
                "sam",
                "True. A drop-off bay near the pharmacy "
                "would help with that, maybe worth asking the council.",
            ),
            DemoComment(
                "b5",
                None,
                "tom",
                "I cycle that road every morning and have "
                "been clipped twice this year. This is overdue.",
            ),
            DemoComment(
                "b6",
                "b5",
                "dan",
                "Same here. The junction by the bridge is the worst bit.",
            ),
            DemoComment(
                "b7",
                "b5",
                "grumpy",
                "Cyclists like you are scum who think they own the road. Get off it.",
                uncivil=True,
            ),
            DemoComment(
                "b8",
                None,
                "lucia",
                "Good to see the loading bay condition. "
                "The shops on Mill Road were worried for good reason.",
            ),
            DemoComment(
                "b9",
                "b8",
                "marta",
                "Yes, the butcher said deliveries were "
                "his main worry. Sounds like they listened.",
            ),
        ],
    },
    {
        "slug": "united-snatch-late-draw-at-the-park",
        "title": "United snatch late draw at the Park",
        "standfirst": "A stoppage-time header rescued a point after the visitors "
        "had led for most of the second half.",
        "byline": "Chris Nolan at the Park",
        "section": "Sport",
        "hours_ago": 3,
        "body": "Two goals down at half-time, United looked beaten until a "
        "substitution on the hour changed the shape of the game.\n\nThe visitors' "
        "keeper made three fine saves before the pressure told: a deflected "
        "shot in the 78th minute and a header from a corner in the fourth minute "
        "of stoppage time.\n\nThe draw leaves United sixth, two points off the "
        "play-off places.",
        "comments": [
            DemoComment(
                "c1",
                None,
                "dan",
                "What a finish! Told you the switch to three at the back would work.",
            ),
            DemoComment(
                "c2",
                "c1",
                "tom",
                "It worked for thirty minutes. The first "
                "half was the worst we have played all season.",
            ),
            DemoComment(
                "c3",
                "c2",
                "dan",
                "Fair, but a point from two down is a "
                "point. The keeper was outstanding for them.",
            ),
            DemoComment(
                "c4",
                None,
                "sam",
                "The referee missed a clear handball "
                "before their second. Not that it matters now.",
            ),
            DemoComment(
                "c5",
                "c4",
                "owen",
                "Watched it again, I think it hit his chest. Very close though.",
            ),
            DemoComment(
                "c6",
                "c4",
                "grumpy",
                "The ref is a blind useless clown and "
                "so are you lot for defending him.",
                uncivil=True,
            ),
            DemoComment(
                "c7",
                None,
                "priya",
                "Sixth with a game in hand. Quietly hopeful for the run-in.",
            ),
        ],
    },
]

# (pattern, kind, note): a few rules so the rules page and its preview have something
# to show. "scum" is left to the classifier, which holds it for a person.
WORD_RULES = [
    ("idiot*", "suspect", "Usually an insult aimed at another reader."),
    ("clown*", "suspect", "Often an insult; sometimes about the circus."),
    ("casino*", "suspect", "Spam comments advertise gambling sites."),
    ("viagra", "banned", "Spam."),
]
