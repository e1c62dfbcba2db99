"""Prompt template families (slots in braces) and reasoning-elicitation phrasings."""

from __future__ import annotations

from collections.abc import Mapping

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
    # Held-out phrasing: elicits the same behaviour without the usual trigger words (a test checks them
    # against the detector's elicitation pattern).
    "socratic": (
        "Narrate your internal deliberation as a dialogue with yourself before concluding.",
        "Number every inference you make and justify each one from the previous ones.",
        "Lay out, in order, the private working you used to reach the answer.",
        "Write down each sub-question you ask yourself and how you answered it.",
    ),
}
