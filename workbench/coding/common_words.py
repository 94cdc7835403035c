"""Words the identifier suggestions pass over: never anyone's name in a transcript or a note."""

from __future__ import annotations

_SPOKEN = """
i i'm i've i'll i'd the a an and but or so yes no okay ok um uh mm hm yeah well oh right what
when where why how who which this that these those it it's he she we they you my your his her
our their there here then now today tomorrow yesterday thank thanks please sorry doctor dr mr
mrs ms miss god allah monday tuesday wednesday thursday friday saturday sunday january february
march april may june july august september october november december english arabic interviewer
patient clinician interpreter
"""
"""Pronouns, fillers, greetings, titles, days, months, languages and the study's own roles."""

_FIRST_WORDS = """
about above across after against along among around as at before behind below beneath beside
besides between beyond by despite down during except for from in inside into near of off on
onto out outside over past since through throughout till to toward towards under underneath
until up upon via with within without although because if nor once than though unless whereas
whether while whilst yet also either neither both all any another each every few many more most
much none one other several some such its me him us them mine yours hers ours theirs myself
yourself himself herself itself ourselves themselves whom whose whatever whenever wherever
whoever everyone everybody everything someone somebody something anyone anybody anything nobody
nothing am is are was were be been being have has had do does did can could shall should would
must might always already again almost even ever never often only perhaps maybe quite rather
really sometimes still thus too usually very just not first second third finally however
therefore meanwhile instead indeed actually later earlier soon anyway otherwise overall let
let's like don't didn't doesn't isn't wasn't aren't weren't can't couldn't won't wouldn't
shouldn't hmm mhm mm-hmm uh-huh yep yup nope alright ah aha eh er erm hello hi bye goodbye
"""
"""Words that start sentences and are never anyone's name (a small project may not hold them
in lower case anywhere): a sentence's first word counts as a name when it is not one of these
and not written in lower case elsewhere (``identifiers._named_starts``)."""

COMMON = frozenset(_SPOKEN.split()) | frozenset(_FIRST_WORDS.split())
