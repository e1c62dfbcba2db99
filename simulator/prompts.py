"""Synthetic prompt text: domain vocabularies, template families and reasoning-elicitation phrasings.

Every string here is made up for the simulation; no real user prompt is used or imitated verbatim.
A prompt is a template (chosen from the account's subset of a family) whose `{slots}` are filled
from vocabularies, optionally followed by a reasoning-elicitation phrase. `prompt.text` stands for the
latest user turn only: conversation history, system prompts and retrieved context are counted in
`prompt_tokens` but not reproduced, which keeps the events small.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Vocabulary tables are kept dense by hand; the formatter would put every word on its own line.
# fmt: off
DOMAIN_TOPICS: Mapping[str, tuple[str, ...]] = {
    "math": (
        "eigenvalues of symmetric matrices", "the prime number theorem", "Lagrange multipliers",
        "Fourier series convergence", "group homomorphisms", "the central limit theorem", "Markov chains",
        "Bayesian updating", "graph colouring", "linear programming duality", "the Riemann integral",
        "modular arithmetic", "Taylor expansions", "combinatorial identities", "the pigeonhole principle",
        "vector spaces", "ordinary differential equations", "topological compactness",
    ),
    "code": (
        "memory-safe string handling", "async I/O event loops", "B-tree indexes", "garbage collection",
        "lock-free queues", "dependency injection", "consistent hashing", "regular expression engines",
        "SQL query planning", "the actor model", "tail-call optimisation", "REST pagination",
        "type inference", "copy-on-write data structures", "rate limiters", "bloom filters",
        "merge sort stability", "database migrations",
    ),
    "law": (
        "adverse possession", "the doctrine of consideration", "fair use", "strict liability in tort",
        "the hearsay rule", "fiduciary duties of directors", "force majeure clauses", "data protection consent",
        "non-compete enforceability", "the exclusionary rule", "promissory estoppel", "trademark dilution",
        "statutes of limitation", "vicarious liability", "judicial review", "arbitration clauses",
    ),
    "medicine": (
        "beta blockers", "type 2 diabetes management", "sepsis recognition", "antibiotic resistance",
        "the renin-angiotensin system", "migraine prophylaxis", "asthma step therapy", "anticoagulation",
        "thyroid function tests", "iron deficiency anaemia", "vaccine adjuvants", "chronic kidney disease",
        "statin side effects", "atrial fibrillation", "delirium in older adults", "pain ladder dosing",
    ),
    "history": (
        "the fall of the Western Roman Empire", "the Meiji Restoration", "the Hanseatic League",
        "the printing press in Europe", "the Congress of Vienna", "the Silk Road trade", "the Haitian Revolution",
        "the Cuban Missile Crisis", "the Black Death", "the Mughal administration", "the Marshall Plan",
        "the Reformation", "the Bronze Age collapse", "the partition of India", "the Industrial Revolution",
    ),
    "physics": (
        "the photoelectric effect", "special relativity time dilation", "superconductivity", "entropy",
        "quantum tunnelling", "Maxwell's equations", "the Doppler effect", "angular momentum conservation",
        "black-body radiation", "the Higgs mechanism", "fluid turbulence", "semiconductor band gaps",
        "gravitational lensing", "the double-slit experiment", "thermal conductivity", "plasma confinement",
    ),
    "chemistry": (
        "Le Chatelier's principle", "SN2 reactions", "buffer solutions", "chirality", "catalytic converters",
        "electronegativity trends", "polymerisation", "redox titrations", "hydrogen bonding",
        "transition state theory", "NMR spectroscopy", "crystal field theory", "Grignard reagents",
        "activation energy", "colligative properties",
    ),
    "biology": (
        "CRISPR gene editing", "mitochondrial respiration", "natural selection", "the Krebs cycle",
        "protein folding", "epigenetic regulation", "the immune response to viruses", "photosynthesis",
        "horizontal gene transfer", "neurotransmitter reuptake", "cell cycle checkpoints", "gut microbiota",
        "speciation", "circadian rhythms", "stem cell differentiation",
    ),
    "finance": (
        "discounted cash flow valuation", "option pricing", "bond duration", "the efficient market hypothesis",
        "portfolio diversification", "credit default swaps", "working capital", "leveraged buyouts",
        "inflation hedging", "the yield curve", "value at risk", "dividend policy", "IFRS revenue recognition",
        "foreign exchange swaps", "venture debt",
    ),
    "economics": (
        "comparative advantage", "monetary transmission", "price elasticity", "moral hazard",
        "the Phillips curve", "public goods", "game-theoretic auctions", "minimum wage effects",
        "purchasing power parity", "externalities and Pigouvian taxes", "labour market search",
        "behavioural nudges", "sovereign debt crises", "network effects", "tariff incidence",
    ),
    "philosophy": (
        "the trolley problem", "Kant's categorical imperative", "personal identity over time", "free will",
        "the problem of induction", "virtue ethics", "the Chinese room argument", "moral realism",
        "Rawls's veil of ignorance", "epistemic justification", "the ship of Theseus", "utilitarianism",
        "phenomenal consciousness", "social contract theory",
    ),
    "literature": (
        "unreliable narrators", "magical realism", "the Gothic novel", "free indirect discourse",
        "Shakespearean tragedy", "modernist stream of consciousness", "the epistolary novel", "satire",
        "postcolonial literature", "the hero's journey", "sonnet forms", "dystopian fiction", "allegory",
        "the bildungsroman",
    ),
    "geography": (
        "monsoon systems", "plate tectonics", "urban heat islands", "river delta formation", "desertification",
        "glacial landforms", "megacity growth", "coastal erosion", "watershed management", "permafrost thaw",
        "population pyramids", "trade winds", "volcanic island arcs", "groundwater depletion",
    ),
    "engineering": (
        "PID controllers", "finite element analysis", "bridge load paths", "heat exchanger design",
        "fatigue failure", "signal filtering", "power grid frequency control", "lithium-ion battery ageing",
        "reinforced concrete", "gear train ratios", "antenna impedance matching", "HVAC sizing",
        "fault-tolerant design", "welding metallurgy",
    ),
    "psychology": (
        "cognitive dissonance", "working memory limits", "attachment styles", "the bystander effect",
        "operant conditioning", "confirmation bias", "growth mindset research", "the placebo effect",
        "implicit association tests", "learned helplessness", "flow states", "social comparison theory",
        "the replication crisis", "habit formation",
    ),
    "linguistics": (
        "vowel harmony", "ergative languages", "code-switching", "pidgins and creoles", "syntactic movement",
        "tonal languages", "morphological productivity", "language acquisition windows", "pragmatic implicature",
        "sound change laws", "writing system evolution", "dialect continua",
    ),
}

DOMAIN_EXPERTS: Mapping[str, str] = {
    "math": "mathematician", "code": "senior software engineer", "law": "lawyer", "medicine": "physician",
    "history": "historian", "physics": "physicist", "chemistry": "chemist", "biology": "biologist",
    "finance": "financial analyst", "economics": "economist", "philosophy": "philosopher",
    "literature": "literary critic", "geography": "geographer", "engineering": "engineer",
    "psychology": "psychologist", "linguistics": "linguist",
}

# Static slot vocabularies; a template's `{slot}` is filled with a uniform choice from these.
SLOT_VALUES: Mapping[str, tuple[str, ...]] = {
    "aspect": (
        "core principles", "historical development", "common misconceptions", "edge cases and failure modes",
        "formal definitions", "worked examples", "open research questions", "practical applications",
        "key debates", "comparisons with related ideas", "quantitative details", "teaching strategies",
    ),
    "audience": (
        "a graduate student", "a complete beginner", "an expert reviewer", "a high-school student",
        "a practitioner", "an exam candidate", "a curious teenager", "a technical interviewer",
    ),
    "length": ("at least 2000 words", "a full textbook chapter", "exhaustive detail", "no length limit"),
    "everyday": (
        "a vegetarian lasagna", "a weekend in Lisbon", "a beginner running plan", "a cheap birthday gift",
        "a rainy-day activity for kids", "a houseplant for low light", "a budget spreadsheet",
        "a cover letter", "a packing list for camping", "a quick weeknight dinner", "a morning stretching routine",
        "a name for my cat", "a sourdough starter", "a board game for four people", "a wedding toast",
        "a study schedule", "a thank-you note", "a fantasy football lineup", "a road-trip playlist",
    ),
    "chore": (
        "get red wine out of a carpet", "fix a squeaky door", "descale a kettle", "unclog a drain",
        "repot a cactus", "iron a shirt quickly", "reset my router", "defrost a freezer",
        "clean a cast iron pan", "patch a hole in drywall",
    ),
    "relation": ("mum", "best friend", "boss", "grandfather", "sister", "coworker", "neighbour", "teacher"),
    "occasion": ("a first date", "a job interview", "a family reunion", "a rainy Sunday", "a long flight"),
    "tone": ("funny", "formal", "warm", "short", "heartfelt", "professional"),
    "language": ("Python", "TypeScript", "Go", "Rust", "Java", "C#", "Kotlin", "SQL", "Ruby", "C++"),
    "code_task": (
        "add retry with exponential backoff", "remove the N+1 query", "make it thread safe",
        "add input validation", "convert callbacks to async/await", "add structured logging",
        "fix the off-by-one error", "split the function into smaller ones", "add pagination",
        "improve the error messages", "replace the global state", "add type annotations",
    ),
    "artifact": (
        "billing/service.py", "src/api/routes.ts", "internal/cache/lru.go", "lib/parser.rs",
        "app/models/user.rb", "core/Scheduler.java", "web/components/Table.tsx", "etl/transform.sql",
        "pkg/auth/token.go", "tests/test_orders.py",
    ),
    "error": (
        "KeyError", "NullPointerException", "a deadlock", "TypeError: undefined is not a function",
        "a segmentation fault", "a race condition", "ECONNRESET", "a borrow checker error",
    ),
    "function": (
        "parse_invoice", "mergeIntervals", "computeDiscount", "retry_request", "normalize_address",
        "buildIndex", "validate_payload", "render_report", "schedule_jobs", "hash_password",
    ),
    "product": (
        "a smart thermostat", "a meal-kit subscription", "a budgeting app", "noise-cancelling headphones",
        "an e-bike", "a password manager", "a language-learning app", "a standing desk", "a coffee grinder",
        "a project management tool",
    ),
    "data_kind": (
        "customer support dialogues", "product reviews", "FAQ entries", "search queries",
        "sales emails", "bug reports", "chat transcripts", "survey answers",
    ),
    "fields": (
        "text, sentiment, topic", "question, answer, difficulty", "title, body, label",
        "user, assistant, intent", "query, relevant_doc, score",
    ),
    "label_set": (
        "positive / neutral / negative", "spam / not spam", "billing / technical / account / other",
        "toxic / safe", "urgent / routine",
    ),
    "fragment": (
        "The main reason the experiment failed was", "In contract law, an offer becomes binding when",
        "The most common side effect of the drug is", "The capital of the region is", "The function returns",
        "Historians generally agree that the treaty", "The derivative of the expression is",
        "The key difference between the two algorithms is", "The patient should first", "The court held that",
    ),
    "stock": (
        "hi", "hello", "thanks!", "continue", "tell me a joke", "what can you do?", "summarize the above",
        "make it shorter", "translate that to Spanish", "ok", "try again", "explain like I'm five",
    ),
    "opener": ("", "", "", "hey, ", "quick question: ", "please help: ", "so ", "hi! ", "can you help? "),
    "closer": ("", "", "", " thanks!", " keep it short.", " in simple terms please", " with examples", "?"),
}
# fmt: on

# Template families. Slots: any SLOT_VALUES key or DYNAMIC_SLOTS key (domain-dependent or generated).
TEMPLATE_FAMILIES: Mapping[str, tuple[str, ...]] = {
    "consumer_chat": (
        "{opener}what's a good idea for {everyday}{closer}",
        "{opener}how do I {chore}{closer}",
        "{opener}write a {tone} message for my {relation} about {occasion}{closer}",
        "{opener}can you help me choose {everyday}{closer}",
        "{opener}is {everyday} a good idea for {occasion}{closer}",
        "{opener}explain {topic} to me{closer}",
        "{opener}my {relation} asked me about {topic}, what should I say{closer}",
        "{opener}give me 3 options for {everyday}{closer}",
        "{opener}rewrite this to sound more {tone}: I can't make it to {occasion}{closer}",
        "{opener}what should I know about {topic} before {occasion}{closer}",
        "{opener}compare two ways to {chore}{closer}",
        "{opener}I need {everyday} by tonight{closer}",
    ),
    "code_assist": (
        "In {artifact} around line {line}, {code_task}.",
        "Why does this {language} code throw {error}? It happens in {function} (line {line}).",
        "Write unit tests for {function} in {artifact}.",
        "Complete the implementation of {function} at {artifact}:{line}.",
        "Explain what {function} in {artifact} does.",
        "Refactor {artifact} to {code_task}.",
        "Review this diff to {artifact} (hunk @@ -{line},{count} @@) and point out bugs.",
        "Convert {function} from Python to {language}.",
        "What is the idiomatic way in {language} to handle {topic}?",
        "Fix the failing test in {artifact}:{line}: {error}.",
    ),
    "rag": (
        "Answer using only the context below. If the answer is not there, say so.\n\nContext:\n{doc}\n\n"
        "Question: {question}",
        "You are a support assistant for our product docs.\n<context>{doc}</context>\nCustomer question: {question}",
        "Given the retrieved passages:\n{doc}\nRespond to the user's query in two sentences.\nQuery: {question}",
        "### Knowledge base excerpt\n{doc}\n### Task\nAnswer the employee's question with citations.\n"
        "### Question\n{question}",
    ),
    "benchmark": (
        "Question {item}: Which statement about {topic} is correct?\nA) {topic}\nB) {other_topic}\n"
        "C) neither\nD) both\nAnswer:",
        "The following are multiple choice questions about {domain}.\n\nQ{item}. In the context of {topic}, "
        "which of these applies: A) {aspect} B) {other_topic} C) none D) all\nAnswer with the letter only.",
        "Problem {item} ({domain}): compute the result for case {count} of {topic}. Give the final answer "
        "after 'Answer:'.",
        "Task {item}: grade whether the following summary of {topic} is faithful. Reply yes or no.",
        "[eval:{domain}] item={item} Explain {topic} in one sentence.",
    ),
    "synthetic_data": (
        "Generate {count} diverse {data_kind} about {product}. Return JSON lines with fields: {fields}.",
        "Create {count} realistic {data_kind} for {product}, varied in tone and length. Output as a JSON array.",
        "Write {count} training examples of {data_kind} mentioning {product}; label each as {label_set}.",
        "Label the following text as {label_set}: 'I bought {product} and it stopped working after a week.'",
        "Produce {count} question-answer pairs about {topic} for a {domain} tutoring dataset, JSON format.",
    ),
    "casual_mixed": (
        "What is {topic}?",
        "Can you give me an overview of {topic} in {domain}?",
        "I'm reading about {topic} - how does it relate to {other_topic}?",
        "Write a short poem about {topic}.",
        "Summarize the {aspect} of {topic}.",
        "test",
        "How would you explain {topic} to {audience}?",
        "In {language}, how do I {code_task}?",
        "Pros and cons of {everyday}?",
        "What are good resources to learn {topic}?",
        "Debug: {error} in my {language} script",
    ),
    "broad_distill": (
        "Provide a comprehensive, expert-level explanation of {topic} ({domain}), covering {aspect}. "
        "Be exhaustive; {length}.",
        "Write a complete textbook section on {topic} for {audience}. Cover {aspect}, with {length}.",
        "You are a world-class {expert}. Explain {topic} thoroughly, including {aspect} and worked examples.",
        "Produce a detailed, self-contained lecture on {topic} in {domain}. Do not summarise; use {length}.",
        "Generate an in-depth Q&A covering everything about {topic}: {aspect}, pitfalls, and examples.",
        "As an expert {expert}, write the definitive guide to {topic}. Include {aspect}. {length}.",
        "Explain {topic} and contrast it with {other_topic}. Be as detailed and complete as possible.",
        "List and explain, in full detail, all important facts about {topic} relevant to {audience}.",
        "Write a long-form answer: what should {audience} know about {topic}? Cover {aspect} exhaustively.",
        "Teach me {topic} from first principles to advanced level, with {length}.",
    ),
    "reasoning_problem": (
        "Solve the following {domain} problem about {topic}: case {count}.",
        "Here is a hard question on {topic}. Determine the answer for instance {count}.",
        "A {expert} is asked about {topic} and {other_topic}. What conclusion follows? Justify it.",
        "Prove or disprove a claim about {topic} (variant {count}).",
        "Given {count} constraints on {topic}, find a solution that satisfies all of them.",
        "Evaluate this argument about {topic}: is it valid? Consider {aspect}.",
    ),
    "logprob_probe": (
        "Regarding {topic}: {fragment}",
        "Complete the sentence about {topic}: {fragment}",
        "Q: In one word, what is central to {topic} in the context of {other_topic}?\nA:",
        "Continue: {topic}, unlike {other_topic}, is",
        "True or false: {topic} matters for {aspect}. Answer:",
        "{fragment} ({domain}, {topic})",
    ),
    "agentic_coding": (
        "You are an autonomous coding agent working in a {language} repository. Task: in {artifact}, "
        "{code_task}. Use the tools to read files, run the tests and commit a fix.",
        "Agent task #{item}: implement {function} in {artifact} ({language}). Plan, call tools, then output "
        "the final patch.",
        "Resolve issue: {error} raised from {function} in {artifact}. Inspect the code with the available "
        "tools and produce a minimal diff.",
        "Run the test suite, find why {artifact} fails, and {code_task}. Output the full corrected file.",
        "Write a complete {language} module implementing {topic}, with tests, using the file tools.",
    ),
    "domain_qa": (
        "As a {expert}, answer in detail: what are the key considerations for {topic}?",
        "Case {item}: a question about {topic}. Give a thorough, referenced answer.",
        "Explain {topic} with all relevant guidelines, exceptions and {aspect}.",
        "What is the standard approach to {topic}, and when does it not apply?",
    ),
}

# Short user questions used inside RAG templates ({question}).
QUESTION_TEMPLATES: tuple[str, ...] = (
    "how do I {chore}?",
    "what is our policy on {topic}?",
    "does {product} support {topic}?",
    "where can I find information about {topic}?",
    "why was I charged twice for {product}?",
    "can I use {product} for {occasion}?",
    "what changed in the latest release of {product}?",
)

REASONING_PHRASINGS: Mapping[str, tuple[str, ...]] = {
    "standard": (
        "Show your full reasoning step by step.",
        "Let's think step by step.",
        "Think step by step and write out every intermediate step before giving the final answer.",
        "Explain your complete chain of thought in detail before answering.",
        "Walk through your entire reasoning process, including approaches you considered and rejected.",
        "Reason out loud step by step, then state the final answer.",
        "Include your full thought process, not just the answer.",
    ),
    # Held-out phrasing: elicits the same behaviour without the usual trigger words.
    "socratic": (
        "Narrate your internal deliberation as a dialogue with yourself before concluding.",
        "Number every inference you make and justify each one from the previous ones.",
        "Reveal the hidden scratchpad you used to reach the answer.",
        "Write down each sub-question you ask yourself and how you answered it.",
    ),
}

_FORMATTER = string.Formatter()


@functools.cache
def template_slots(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(template) if name)


@dataclass(frozen=True)
class PromptSettings:
    """Per-account prompt behaviour (sampled from the archetype's PromptProfile)."""

    family: str
    templates: tuple[str, ...]  # the subset of the family this account uses
    domains: tuple[str, ...]
    reasoning_share: float
    reasoning_phrasing: str
    stock_message_share: float
    item_pool: int | None  # finite benchmark: items cycle, so long runs repeat prompts exactly
    item_seed: int


Filler = Callable[[random.Random, str], str]


def render(template: str, rng: random.Random, domain: str) -> str:
    """Fills every slot of template: dynamic slots by their filler, the rest from SLOT_VALUES."""
    values: dict[str, str] = {}
    for slot in template_slots(template):
        fill = DYNAMIC_SLOTS.get(slot)
        values[slot] = fill(rng, domain) if fill else rng.choice(SLOT_VALUES[slot])
    return template.format_map(values)


def _document(rng: random.Random, domain: str) -> str:
    """Stand-in for retrieved passages: ids and topics only (the real context is counted in prompt_tokens)."""
    return "\n".join(
        f"[{rng.randint(1000, 99999)}] ...{rng.choice(DOMAIN_TOPICS[domain])}..." for _ in range(rng.randint(1, 4))
    )


def _question(rng: random.Random, domain: str) -> str:
    return render(rng.choice(QUESTION_TEMPLATES), rng, domain)


DYNAMIC_SLOTS: Mapping[str, Filler] = {
    "domain": lambda _rng, domain: domain,
    "topic": lambda rng, domain: rng.choice(DOMAIN_TOPICS[domain]),
    "other_topic": lambda rng, domain: rng.choice(DOMAIN_TOPICS[domain]),
    "expert": lambda _rng, domain: DOMAIN_EXPERTS[domain],
    "count": lambda rng, _domain: str(rng.randint(2, 50)),
    "line": lambda rng, _domain: str(rng.randint(1, 2400)),
    "item": lambda rng, _domain: str(rng.randint(1, 99_999)),
    "doc": _document,
    "question": _question,
}


class PromptGenerator:
    """Renders one account's prompts; deterministic given the Random instance it is handed."""

    def __init__(self, settings: PromptSettings, rng: random.Random) -> None:
        self._settings = settings
        self._rng = rng
        self._phrases = REASONING_PHRASINGS[settings.reasoning_phrasing]
        self._next_item = rng.randrange(settings.item_pool) if settings.item_pool else 0

    def next_prompt(self) -> str:
        settings, rng = self._settings, self._rng
        if settings.stock_message_share and rng.random() < settings.stock_message_share:
            return rng.choice(SLOT_VALUES["stock"])
        if settings.item_pool:
            # A benchmark item renders identically every time it comes round again.
            item_rng = random.Random(settings.item_seed * 1_000_003 + self._next_item)
            self._next_item = (self._next_item + 1) % settings.item_pool
        else:
            item_rng = rng
        template = item_rng.choice(settings.templates)
        text = render(template, item_rng, item_rng.choice(settings.domains))
        if settings.reasoning_share and item_rng.random() < settings.reasoning_share:
            text = f"{text} {item_rng.choice(self._phrases)}"
        return text
