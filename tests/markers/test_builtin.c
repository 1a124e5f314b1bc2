/*
 * test_builtin.c: every built-in marker kind, with positive cases (exact
 * span and rule id) and negative ones (no marker of the kind over a span).
 * The sentences are written for these tests; the negative cases keep the
 * shapes that were wrongly marked on PolNeAR train once.
 */
#include "check.h"

#define L "\xe2\x80\x9c" /* “ */
#define R "\xe2\x80\x9d" /* ” */
#define LS "\xe2\x80\x98" /* ‘ */
#define RS "\xe2\x80\x99" /* ’ */

typedef struct pos_case {
  const char *name, *text, *rule, *span;
} pos_case;

typedef struct neg_case {
  const char *name, *text, *kind, *span;
} neg_case;

static const pos_case positives[] = {
    /* figure */
    {"figure-money-billion", "The package is worth $1.85 billion, officials said.\n", "figure.money", "$1.85 billion"},
    {"figure-money-over", "It has given over $20 billion in aid since the war began.\n", "figure.money", "$20 billion"},
    {"figure-money-plain", "The city spent $800 on the sign.\n", "figure.money", "$800"},
    {"figure-money-euro", "Brussels pledged \xe2\x82\xac" "30m for the port.\n", "figure.money", "\xe2\x82\xac" "30m"},
    {"figure-money-words", "The fund holds 500 million dollars in bonds.\n", "figure.money", "500 million dollars"},
    {"figure-count-troops", "Pyongyang sent 50,000 troops to the border.\n", "figure.count", "50,000 troops"},
    {"figure-count-two-words", "The treaty has 111 state parties so far.\n", "figure.count", "111 state parties"},
    {"figure-count-capital", "Washington will send 31 Abrams tanks to Kyiv.\n", "figure.count", "31 Abrams tanks"},
    {"figure-count-nations", "He said the 10 nations had lied.\n", "figure.count", "10 nations"},
    {"figure-count-magnitude", "Some 1.5 million voters stayed home.\n", "figure.count", "1.5 million voters"},
    {"figure-percent-sign", "Turnout rose to 62% in the city.\n", "figure.percent", "62%"},
    {"figure-percent-word", "Prices rose 3.5 percent last year.\n", "figure.percent", "3.5 percent"},
    {"figure-percent-points", "She leads by 4 percentage points in the poll.\n", "figure.percent", "4 percentage points"},
    {"figure-words-several", "He reported several hundred casualties in the region.\n", "figure.words", "several hundred"},
    {"figure-words-dozens", "Dozens of people gathered outside.\n", "figure.words", "Dozens of"},
    {"figure-words-third", "About a third of the votes were counted.\n", "figure.words", "a third of"},
    {"figure-words-tens", "Tens of thousands marched on Sunday.\n", "figure.words", "Tens of thousands"},
    {"figure-words-million", "Five million people live there.\n", "figure.words", "Five million"},
    /* date */
    {"date-on-weekday", "The minister spoke on Tuesday in Seoul.\n", "date.relative", "on Tuesday"},
    {"date-bare-weekday", "A senior official said Tuesday that talks had failed.\n", "date.relative", "Tuesday"},
    {"date-last-week", "The vote was held last week after a delay.\n", "date.relative", "last week"},
    {"date-earlier-this", "Troops seized the town earlier this month.\n", "date.relative", "earlier this month"},
    {"date-yesterday", "The court ruled yesterday against the plan.\n", "date.relative", "yesterday"},
    {"date-ago", "The mayor resigned two days ago in protest.\n", "date.relative", "two days ago"},
    {"date-digits-ago", "The mayor resigned 3 weeks ago in protest.\n", "date.relative", "3 weeks ago"},
    /* hedge */
    {"hedge-reportedly", "The leader reportedly met the envoy.\n", "hedge.word", "reportedly"},
    {"hedge-it-is-believed", "It is believed the missile fell into the sea.\n", "hedge.word", "It is believed"},
    {"hedge-some-say", "Some say the deal is already dead.\n", "hedge.word", "Some say"},
    {"hedge-said-to", "The general is said to be ill.\n", "hedge.word", "is said to"},
    /* contested */
    {"contested-claimed", "Kirby claimed the shipments were arms.\n", "contested.verb", "claimed"},
    {"contested-alleged", "Seoul denounced the alleged deployment of troops.\n", "contested.verb", "alleged"},
    {"contested-allegedly", "The talks allegedly took place in Vladivostok.\n", "contested.verb", "allegedly"},
    {"contested-claimed-responsibility", "The group claimed responsibility for the blast.\n", "contested.verb", "claimed"},
    /* denial */
    {"denial-denied", "Pyongyang has denied the report.\n", "denial.verb", "denied"},
    {"denial-dismissed-reports", "The ministry dismissed reports of a transfer.\n", "denial.verb", "dismissed reports"},
    {"denial-rejects", "Moscow rejects the accusation.\n", "denial.verb", "rejects"},
    {"denial-bare", "The charge is one he has always denied.\n", "denial.verb", "denied"},
    {"denial-disputes-this", "The lawyers said so, although the city disputes this.\n", "denial.verb", "disputes"},
    {"denial-rejected-idea", "The campaign rejected the idea that it was worried.\n", "denial.verb", "rejected"},
    /* anonymous-source */
    {"anon-senior-official", "A senior US military official said the troops had arrived.\n", "source.anonymous",
     "A senior US military official"},
    {"anon-spokesman-for", "A spokesman for the North Korean foreign ministry said it was false.\n", "source.anonymous",
     "A spokesman for the North Korean foreign ministry"},
    {"anon-ministry-spokesman", "In a statement, a foreign ministry spokesman said the claim was absurd.\n",
     "source.anonymous", "a foreign ministry spokesman"},
    {"anon-familiar", "The plan was dropped, sources familiar with the talks said.\n", "source.anonymous",
     "sources familiar with"},
    /* state-media and agency */
    {"state-media-kcna", "It was reported by the official KCNA news agency on Friday.\n", "source.state-media", "KCNA"},
    {"state-media-long", "The Korean Central News Agency carried the statement.\n", "source.state-media",
     "Korean Central News Agency"},
    {"state-media-xinhua", "Xinhua said the talks were useful.\n", "source.state-media", "Xinhua"},
    {"agency-per", "The figure was confirmed, per AFP.\n", "source.agency", "per AFP"},
    {"agency-according", "The vote was delayed, according to Reuters.\n", "source.agency", "Reuters"},
    {"agency-dateline", "SEOUL (Reuters) - The North fired a missile on Sunday.\n", "source.agency", "Reuters"},
    /* loaded */
    {"loaded-reclusive", "Reclusive North Korea fired another missile.\n", "loaded.word", "Reclusive"},
    {"loaded-widely-banned", "Washington will provide the widely banned munitions.\n", "loaded.word", "widely banned"},
    /* quotes */
    {"scare-single-word", "North Korea condemned the plan as " L "criminal" R ".\n", "quote.scare", L "criminal" R},
    {"scare-two-words", "The ministry called it a " LS "stupid attempt" RS " by Seoul.\n", "quote.scare",
     LS "stupid attempt" RS},
    {"unattributed-quote", "The crowd waited.\n\n" L "We will never give up the fight for this land." R "\n",
     "quote.unattributed", L "We will never give up the fight for this land." R},
    {"edited-ellipsis", L "The U.S. has made a very dangerous choice \xe2\x80\xa6 which brings ruin," R " Choe said.\n",
     "quote.edited", "\xe2\x80\xa6"},
    {"edited-dots", L "We will win ... whatever it takes," R " the general said.\n", "quote.edited", "..."},
    {"edited-brackets", L "They [the allies] will pay for it," R " the minister said.\n", "quote.edited", "[the allies]"},
    /* page furniture */
    {"boilerplate-also-read", "North Korea fired a missile on Sunday, the military said in a short statement.\n\n"
                              "ALSO READ: North Korea threatens to down spy planes\n\nThe launch followed drills.\n",
     "page.boilerplate", "ALSO READ: North Korea threatens to down spy planes"},
    {"boilerplate-nbsp", "The launch followed weeks of drills near the border, officials said on Monday.\n\n"
                         "ALSO READ:\xc2\xa0Kim offers support to Putin\n\nMore drills are planned.\n",
     "page.boilerplate", "ALSO READ:\xc2\xa0Kim offers support to Putin"},
    {"boilerplate-telegram", "The war went on.\nJOIN US ON TELEGRAM\nThe talks failed.\n", "page.boilerplate",
     "JOIN US ON TELEGRAM"},
    {"boilerplate-follow", "The war went on.\nFollow our coverage of the war on our channel.\nThe talks failed.\n",
     "page.boilerplate", "Follow our coverage of the war on our channel."},
    {"boilerplate-may-like", "The talks failed.\nYou May Also Like\nRecommended for you\n", "page.boilerplate",
     "You May Also Like"},
    {"boilerplate-recommended", "The talks failed.\nYou May Also Like\nRecommended for you\n", "page.boilerplate",
     "Recommended for you"},
    {"boilerplate-tag-code", "The talks failed, the ministry said.\nRES-EMP\n", "page.boilerplate", "RES-EMP"},
    {"boilerplate-tag-reuters", "The talks failed, the ministry said.\ntagreuters.com2024binary_ABCDEF12345-VIEWIMAGE\n",
     "page.boilerplate", "tagreuters.com2024binary_ABCDEF12345-VIEWIMAGE"},
    {"boilerplate-ctrl-enter", "The talks failed.\nYou can also highlight the text and press Ctrl + Enter\n",
     "page.boilerplate", "You can also highlight the text and press Ctrl + Enter"},
    {"boilerplate-teaser",
     "The foreign ministers met in Rome on Monday and signed a joint statement on the war in Ukraine.\n"
     "Poland Produced Almost 9 Billion Cubic Meters of Coal in 2023\n"
     "The statement urged the North to stop sending shells and missiles to Russia at once.\n",
     "page.boilerplate", "Poland Produced Almost 9 Billion Cubic Meters of Coal in 2023"},
    {"credit-reporting", "The talks failed.\n\n(Reporting by Jane Roe, editing by John Doe and Ann Poe)\n", "page.credit",
     "(Reporting by Jane Roe, editing by John Doe and Ann Poe)"},
    {"credit-byline", "Missile test draws protest\nBy Jane Roe and Ju-min Park\nSEOUL, the talks failed.\n",
     "page.credit", "By Jane Roe and Ju-min Park"},
};

static const neg_case negatives[] = {
    /* figure: years, dates, street numbers, times, labels */
    {"no-figure-year-in", "The war began in 2022 and goes on.\n", "figure", "2022"},
    {"no-figure-month-year", "Russia invaded in February 2022, the report said.\n", "figure", "2022"},
    {"no-figure-day-month", "The vote is on 24 February in the capital.\n", "figure", "24"},
    {"no-figure-month-day", "The vote is on Nov. 8 in every state.\n", "figure", "8"},
    {"no-figure-downing", "He left 10 Downing Street at noon.\n", "figure", "10"},
    {"no-figure-baker", "Holmes lived at 221B Baker Street in London.\n", "figure", "221B"},
    {"no-figure-time", "The polls close at 8 p.m. in the east.\n", "figure", "8"},
    {"no-figure-duration", "He spent 20 years in the Senate.\n", "figure", "20"},
    {"no-figure-label", "Under Article 5 members defend each other.\n", "figure", "5"},
    {"no-figure-ordinal-word", "It was the third time this year.\n", "figure", "third"},
    {"no-figure-half", "In the second half of the game he scored.\n", "figure", "half"},
    {"no-figure-number-of", "Only 2 of the 9 judges agreed.\n", "figure", "2"},
    /* date */
    {"no-date-this-plan", "This plan was drafted by the ministry.\n", "date", "This"},
    {"no-date-last-chance", "It was the last chance for a deal.\n", "date", "last"},
    {"no-date-absolute", "The talks were held on 12 March 2023.\n", "date", "12 March 2023"},
    /* hedge */
    {"no-hedge-said", "The minister said the talks had failed.\n", "hedge", "said"},
    {"no-hedge-some", "Some officials left early.\n", "hedge", "Some"},
    /* denial and contested */
    {"no-denial-dismissed-staff", "The governor dismissed two aides on Friday.\n", "denial", "dismissed"},
    {"no-contested-said", "The ministry said the shipment had arrived.\n", "contested", "said"},
    /* hand-read PolNeAR sample, session 4 */
    {"no-figure-participle", "The firm has 170 researchers compiling dossiers.\n", "figure", "compiling"},
    {"no-loaded-blasted-out", "The campaign blasted out an email to supporters.\n", "loaded", "blasted"},
    {"no-anon-across-sentences", "She cited a lawsuit by Judicial Watch. Officials searched their records.\n",
     "anonymous-source", "a lawsuit by Judicial Watch."},
    {"no-contested-claim-nomination", "She will claim the nomination in June.\n", "contested", "claim"},
    {"no-contested-claiming-tax-breaks", "Firms claiming U.S. tax breaks moved jobs abroad.\n", "contested", "claiming"},
    /* anonymous-source */
    {"no-anon-named-spokesman", "Pentagon spokesman John Kirby said the troops had arrived.\n", "anonymous-source",
     "spokesman"},
    {"no-anon-the-spokesman", "The spokesman said the troops had arrived.\n", "anonymous-source", "spokesman"},
    {"no-anon-named-after", "A spokesman, John Kirby, said the troops had arrived.\n", "anonymous-source", "spokesman"},
    {"no-anon-people", "Many people went to the polls early.\n", "anonymous-source", "people"},
    {"no-anon-a-person", "A person needs an ID to vote there.\n", "anonymous-source", "person"},
    {"no-anon-officials-did", "Election officials counted the ballots overnight.\n", "anonymous-source", "officials"},
    /* agencies and state media */
    {"no-agency-ap-lower", "The ap course covers history.\n", "agency", "ap"},
    {"no-agency-plain-mention", "Bloomberg spent heavily on the race.\n", "agency", "Bloomberg"},
    {"no-state-media-rt-word", "The rt value fell below one.\n", "state-media", "rt"},
    /* loaded: never inside a quote */
    {"no-loaded-in-quote", "The minister said: " L "This regime is brutal and reclusive." R "\n", "loaded", "brutal"},
    /* quotes */
    {"no-scare-long", "She called the vote " L "a farce staged by the ruling party" R ".\n", "scare-quote",
     "a farce staged"},
    {"no-scare-title", "He starred in " L "The Apprentice" R " for years.\n", "scare-quote", "The Apprentice"},
    {"no-unattributed-said", L "We will win this fight for our land," R " the minister said.\n", "unattributed-quote",
     "We will win"},
    {"no-edited-plain", L "We will win this fight," R " the minister said.\n", "edited-quote", "We will win"},
    {"no-edited-outside", "The minister said... that was all. " L "We will win," R " she added.\n", "edited-quote",
     "..."},
    /* Shapes that were wrongly marked on PolNeAR train, in sentences of our own. */
    {"no-figure-abbrev-month", "Voters meet at the Feb. 2 caucuses in the state.\n", "figure", "2 caucuses"},
    {"no-figure-number-one", "It is the No.1 news channel in the land.\n", "figure", "1 news"},
    {"no-date-newspaper", "The poll was run by USA TODAY and a university.\n", "date", "TODAY"},
    {"no-date-super-tuesday", "He hopes to win many states on Super Tuesday next month.\n", "date", "Super Tuesday"},
    {"no-scare-show-title", "The host said " L "SNL" R " drew its best ratings.\n", "scare-quote", "SNL"},
    {"no-scare-first-name", "The aide wrote to her as " L "Hillary" R " in the note.\n", "scare-quote", "Hillary"},
    {"no-scare-attribute", "<post id=\"123456789\" user=\"x\">Hello</post> said nothing.\n", "scare-quote",
     "123456789"},
    {"no-scare-exclamation", "His friends jeered, " L "Good luck!" R " as he left.\n", "scare-quote", "Good luck!"},
    {"no-anon-role", "He served as a senior adviser to the governor for years.\n", "anonymous-source", "adviser"},
    {"no-anon-apposition", "Taxes must rise, said Ann Smith, a former tax official under two presidents.\n",
     "anonymous-source", "official"},
    {"no-anon-not-speaking", "He never cited a source for his claim about the vote.\n", "anonymous-source", "source"},
    {"no-anon-staff-count", "Only two staffers made the trip to the rally.\n", "anonymous-source", "staffers"},
    {"no-unattributed-title", "She left the show for " L "Good Morning America." R "\n", "unattributed-quote",
     "Good Morning"},
    {"no-unattributed-said-before", "The senator said, " L "We will fight this bill until the very end." R "\n",
     "unattributed-quote", "We will fight"},
    {"no-denial-bail", "The driver's friend was denied bail on Friday.\n", "denial", "denied"},
    {"no-denial-withhold", "The rules could deny Smith the nomination in July.\n", "denial", "deny"},
    {"no-denial-dispute-noun", "The clubs await the end of zoning disputes in court.\n", "denial", "disputes"},
    {"no-denial-voters", "Young voters overwhelmingly rejected the senator in March.\n", "denial", "rejected"},
    {"no-loaded-so-called", "Congress renewed the so-called tax extenders again.\n", "loaded", "so-called"},
    {"no-loaded-sanctions-regime", "There is some flexibility in the sanctions regime.\n", "loaded", "regime"},
    /* page furniture */
    {"no-boilerplate-related-sentence",
     "Related to the vote, the party asked for a recount on Monday in three districts.\n", "boilerplate", "Related"},
    {"no-boilerplate-headline", "Ukraine Produced Almost 14 Billion Cubic Meters of Gas in 2024\n"
                                "The state firm said output rose despite attacks on its plants and pipelines.\n",
     "boilerplate", "Ukraine Produced"},
    {"no-credit-by-sentence", "By the end of the day, the talks had failed and the envoys went home.\n", "credit",
     "By the end"},
    {"no-boilerplate-single-word", "The talks failed, the ministry said on Monday in a statement.\nUkraine\n"
                                   "The war goes on and the ministry said so on Monday in a statement.\n",
     "boilerplate", "Ukraine"},
};

static void test_classify_only(nm_engine *e) {
  /* Quotes on a boilerplate line are not the article's quotes. */
  nm_doc *d = check_doc(e, "The talks failed, the ministry said on Monday in a statement.\n\n"
                           "ALSO READ: Kim offers " LS "full support" RS " to Putin\n");
  int quoted = 0;
  for (size_t i = 0; i < nm_doc_marker_count(d); i++)
    quoted += strcmp(nm_doc_marker_kind(d, i), "scare-quote") == 0 || strcmp(nm_doc_marker_kind(d, i), "unattributed-quote") == 0;
  check("boilerplate-quotes-not-marked", quoted == 0, check_markers(d));
  nm_doc_delete(d);
}

static void test_messages(nm_engine *e) {
  nm_doc *d = check_doc(e, "The package is worth $800 million.\n");
  long i = check_find(d, "figure.money", "$800 million", 1);
  check("message-money", i >= 0 && strcmp(nm_doc_marker_message(d, (size_t)i), "Amount: check it against the source") == 0 &&
                             nm_doc_marker_severity(d, (size_t)i) == NM_SEVERITY_INFO &&
                             strcmp(nm_doc_marker_kind(d, (size_t)i), "figure") == 0,
        check_markers(d));
  nm_doc_delete(d);
  d = check_doc(e, "A senior official said the talks failed.\n");
  i = check_find(d, "source.anonymous", "A senior official", 1);
  check("message-anonymous", i >= 0 && nm_doc_marker_severity(d, (size_t)i) == NM_SEVERITY_WARNING &&
                                 strcmp(nm_doc_marker_message(d, (size_t)i),
                                        "Anonymous source: the reader cannot check who said it") == 0,
        check_markers(d));
  nm_doc_delete(d);
  /* One anonymous source gets one marker, whether attribution or the fallback found it. */
  d = check_doc(e, "A senior official said the talks failed.\n");
  int n = 0;
  for (size_t k = 0; k < nm_doc_marker_count(d); k++) n += strcmp(nm_doc_marker_kind(d, k), "anonymous-source") == 0;
  check("anonymous-once", n == 1, check_markers(d));
  nm_doc_delete(d);
}

int main(void) {
  char err[256];
  nm_engine *e = nm_engine_new(err, sizeof err);
  if (!e) {
    printf("not ok - engine: %s\n", err);
    return 1;
  }
  for (size_t i = 0; i < sizeof positives / sizeof *positives; i++)
    expect_marker(e, positives[i].name, positives[i].text, positives[i].rule, positives[i].span);
  for (size_t i = 0; i < sizeof negatives / sizeof *negatives; i++)
    expect_none(e, negatives[i].name, negatives[i].text, negatives[i].kind, negatives[i].span);
  test_classify_only(e);
  test_messages(e);
  nm_engine_delete(e);
  return check_failures ? 1 : 0;
}
