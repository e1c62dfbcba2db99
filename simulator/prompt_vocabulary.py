"""Prompt vocabularies: topics per domain, the expert of each domain, and the static slot values.

Every string here is made up for the simulation; no real user prompt is used or imitated verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping

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
