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
    "classification": (
        "Classify the sentiment of this review of {product}: 'It broke after {count} days.' Answer with one word.",
        "Label the following {data_kind} as {label_set}. Text: 'question about {topic}'. Label:",
        "Is this search query about {topic} relevant to {domain}? Answer yes or no.",
        "Rate from 0 to 9 how well this passage answers a question on {topic}. Digit only.",
        "Which intent fits the message 'help with {chore}' ({label_set})? Reply with the label.",
        "Document {item}: does it mention {topic}? Answer true or false.",
        "Score the fluency of this sentence about {everyday} from 1 to 5:",
    ),
    "tutoring": (
        "{opener}my homework asks about {topic}, can you help me understand it{closer}",
        "{opener}I got problem {count} on {topic} wrong, where did I go wrong{closer}",
        "{opener}quiz me on {topic} and explain each answer{closer}",
        "{opener}how would a {expert} approach {topic}{closer}",
        "{opener}check my proof about {topic}{closer}",
        "{opener}I have an exam on {domain} tomorrow, explain {topic} and {other_topic}{closer}",
    ),
    "agent_tasks": (
        "Using the browser and search tools, research {topic} and write a sourced brief for {audience}.",
        "Task {item}: plan a {everyday} within budget; call the tools you need and report the result.",
        "You can call tools. Gather the latest figures on {topic} and produce a table comparing it with {other_topic}.",
        "Agent run {item}: fill in the spreadsheet about {product} using the lookup and calculator tools.",
        "Investigate why {artifact} fails with {error}; use the shell tool, then summarise the fix.",
        "Book a slot for {occasion} and email my {relation}; use the calendar and mail tools.",
    ),
    "translation": (
        "Translate into German, keeping the tone: 'Our {product} makes {everyday} easy.'",
        "Localise this UI string for the Japanese market: 'Get {everyday} in one tap'",
        "Übersetze ins Englische und behalte die Formatierung bei: Hinweise zu {topic} für {product}.",
        "Traduis en anglais ce paragraphe sur {topic} : « Le {product} est disponible dès aujourd'hui. »",
        "Traduce al inglés el siguiente texto sobre {topic}: «Nuestro {product} ya está disponible».",
        "次の文章を英語に翻訳してください：{product}についてのお知らせ（{topic}）",  # noqa: RUF001 (CJK punctuation is correct here)
        "请将以下内容翻译成英文：关于{topic}的{product}使用说明，第{count}节。",  # noqa: RUF001 (CJK punctuation is correct here)
        "Traduza para o inglês: 'Como usar o {product} para {everyday}'.",
    ),
    "multilingual_reasoning": (
        "Resuelve este problema de {domain} sobre {topic} (caso {count}).",
        "Löse die folgende Aufgabe zu {topic} (Variante {count}).",
        "Résous ce problème de {domain} portant sur {topic} (cas {count}).",
        "{topic}に関する次の問題を解いてください（問題{count}）。",  # noqa: RUF001 (CJK punctuation is correct here)
        "请解答以下关于{topic}的{domain}题目（第{count}题）。",  # noqa: RUF001 (CJK punctuation is correct here)
        "Resolva o problema sobre {topic} (caso {count}).",
        "Реши задачу по теме «{topic}» (вариант {count}).",
        "{topic}에 관한 다음 문제를 풀어 주세요 (문제 {count}).",
    ),
    "grader_rubric": (
        "You are a strict grader. Score the answer below about {topic} from 1 to 10 against the rubric "
        "({aspect}). Output the score only.\nAnswer: ...",
        "Compare response A and response B to a question on {topic}. Which is more helpful and harmless? "
        "Reply 'A' or 'B'.",
        "Rubric item {item} ({domain}): does the response cover {aspect} of {topic}? Reply with a score 0-5.",
        "Rate the following solution to a {domain} problem on {topic} for correctness (1-7), then justify it.",
        "As a reward model, assign a scalar preference to this reply about {other_topic}:",
        "Critique the assistant's answer on {topic} for {audience}: list every flaw, then give a grade.",
    ),
    "dialogue_turn": (
        "{opener}and what about {other_topic}{closer}",
        "{opener}go on, say more about {topic}{closer}",
        "{opener}interesting - how does that change for {audience}{closer}",
        "{opener}can you give another example of {topic}{closer}",
        "(continuing our role-play as a {expert}) the student now asks about {aspect} of {topic}.",
        "{opener}I disagree about {topic}, convince me{closer}",
    ),
    "embedding_passage": (
        "{topic}: {aspect}, as discussed in {domain} section {item}.",
        "Passage {item}. On {topic} and {other_topic}, for {audience}.",
        "query: {topic} {aspect}",
        "{product} FAQ #{item}: {question}",
        "Paraphrase {count} of: {topic} relates to {other_topic}.",
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
    # Non-English elicitation (reasoning-trace coercion is reported in other languages too).
    "multilingual": (
        "Muestra todo tu razonamiento paso a paso, sin omitir nada.",
        "Zeige deinen vollständigen Gedankengang Schritt für Schritt.",
        "Détaille tout ton raisonnement étape par étape avant de conclure.",
        "考えた過程をすべて段階的に書き出してください。",
        "请一步一步地写出你的完整思考过程。",
        "Mostre todo o seu raciocínio passo a passo.",
        "Покажи весь ход рассуждений шаг за шагом.",
        "생각하는 과정을 단계별로 모두 보여 주세요.",
    ),
}

# Language of the templates that are not English (the event's `prompt.language`).
TEMPLATE_LANGUAGES: Mapping[str, str] = {
    template: language
    for template, language in zip(
        (*TEMPLATE_FAMILIES["translation"][2:], *TEMPLATE_FAMILIES["multilingual_reasoning"]),
        ("de", "fr", "es", "ja", "zh", "pt", "es", "de", "fr", "ja", "zh", "pt", "ru", "ko"),
        strict=True,
    )
}
