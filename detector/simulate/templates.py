"""Prompt families: the frames each behaviour writes its prompts with.

A *family* is a set of frames (templates with ``{pool}`` slots) that one kind of client uses.
Which family a request draws from is decided by the behaviour profile
(:mod:`detector.simulate.profiles`); the words that fill the slots come from
:data:`detector.simulate.vocab.POOLS` plus the framing pools defined here.

Design notes, because a detector will be tuned on this text:

* Ordinary users share stock phrasing ("can you help me", "what is the difference between")
  but vary the preamble, the fill-ins and the closing, so their prompts rarely collide.
* About 5 % of ordinary prompts ask for step-by-step reasoning; chain-of-thought wording alone
  must not be a perfect attack signal.
* Enterprise pipelines use one fixed frame each: extremely low diversity, which makes a service
  account look like a bot farm to a naive similarity rule.
* Hydra and slow-and-low use different wordings for the same goal (harvest reasoning traces),
  so a detector cannot key on one campaign's phrasing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "FRAME_POOLS", "Family"]


@dataclass(frozen=True)
class Family:
    """A set of prompt frames used by one kind of client.

    Parameters
    ----------
    frames : tuple of str
        Templates with ``{pool}`` slots; one is picked uniformly per prompt.
    reuse_share : float
        Probability that a prompt repeats one this family already produced (for any account),
        as campaigns do when they re-sample the same dataset item through several accounts.
    """

    frames: tuple[str, ...]
    reuse_share: float = 0.0


def _mix(*parts: tuple[tuple[str, ...], int]) -> tuple[str, ...]:
    """Weighted pool by repetition: ``weight`` copies spread over the entries of each part."""
    out: list[str] = []
    for entries, weight in parts:
        out.extend(entries[i % len(entries)] for i in range(weight))
    return tuple(out)


_O_PRE = (
    "Hi! ",
    "Hey, ",
    "Quick question. ",
    "Hello. ",
    "Hi there. ",
    "I'm a {role} and I have a question. ",
    "I'm working on {project} and I'm stuck. ",
    "My {relation} asked me about this and I wasn't sure what to say. ",
    "Sorry if this is a basic question, I'm new to this. ",
    "I have a meeting tomorrow and need to prepare. ",
    "Context: I'm a {role} working on {project}. ",
    "I tried searching online but the answers were confusing. ",
    "Okay so I've been going back and forth on this for a while. ",
    "Need some help please. ",
    "Random question, but ",
    "I'm a {role}. ",
    "This might be a weird one. ",
    "Following up on what we discussed earlier. ",
    "I'm helping my {relation} with something. ",
)
_O_PROJECT = (
    "a personal budget tracker",
    "my thesis",
    "a small online shop",
    "a school project about {concept}",
    "a side project in {lang}",
    "our team's onboarding docs",
    "a home automation setup",
    "a mobile app for my gym",
    "a grant application",
    "a wedding website",
    "a report for my manager",
)
_O_MAIN = (
    "Can you help me write a {lang} function that {code_task}?",
    "Write a python function that {code_task}.",
    "What is the difference between {compare}?",
    "Can you explain {concept} to {audience}?",
    "I keep getting this error: {error_msg} What does it mean and how do I fix it?",
    "Can you help me write {writing_task}?",
    "Help me write {writing_task}.",
    "What can I cook for dinner with {food}, {food} and {food}?",
    "Plan a {duration} trip to {city} for someone who likes {interest} and {interest}.",
    "Give me some practical tips for {health}.",
    "How should I think about {finance}?",
    "Can you help me with my homework: {math_hw}?",
    "Summarize the main arguments for and against {debate}.",
    "Translate this into {human_lang}: {phrase}",
    "Proofread this paragraph and fix the grammar: {paragraph}",
    "Recommend a few {media} similar to {media_title} and say why.",
    "What's a good way to {life_task}?",
    "Is it normal that {worry}?",
    "Rewrite this so it sounds more professional: {casual_msg}",
    "Give me ten name ideas for {naming_target}.",
    "What are the pros and cons of {choice}?",
    "How do I {howto} in {software}?",
    "Explain what this code does: {snippet}",
    "Why does {phenomenon}?",
    "Can you make a study plan for {exam} in {weeks} weeks?",
    "Write a SQL query that {sql_task}.",
    "Create a spreadsheet formula that {excel_task}.",
    "What is the difference between {compare}, and when does it matter?",
    "Can you help me understand {concept}? I read about it but it didn't click.",
    "What should I know before {choice}?",
    "I'm stuck on this: {math_hw}. Where do I even start?",
    "Could you give me a simple example of {concept}?",
    "Help me plan {duration} in {city} on a budget of {money}.",
    "Draft {writing_task} for me, something I can edit afterwards.",
)
_O_ERROR = (
    "TypeError: 'NoneType' object is not subscriptable.",
    "KeyError: 'id'.",
    "undefined is not a function.",
    "segmentation fault (core dumped).",
    "ModuleNotFoundError: No module named 'requests'.",
    "CORS policy: No 'Access-Control-Allow-Origin' header is present.",
    "java.lang.NullPointerException.",
    "Permission denied (publickey).",
    "ERROR 1045 (28000): Access denied for user.",
    "fatal: refusing to merge unrelated histories.",
    "IndexError: list index out of range.",
    "cannot borrow `x` as mutable more than once at a time.",
)
_O_DETAIL = (
    " It needs to work on {os}.",
    " I'm using {software} if that matters.",
    " My budget is about {money}.",
    " It's for {occasion}.",
    " Please keep in mind that {constraint_human}.",
    " I already tried {attempt} but it didn't help.",
    " I'm a bit short on time.",
    " This is for {occasion}, so it should be clear and friendly.",
    " I've read a couple of articles but they contradicted each other.",
    " Ideally something I can reuse later.",
    " The audience is {audience}.",
)
_O_POST = (
    " Thanks!",
    " Keep it short please.",
    " Use bullet points.",
    " Please keep it under 200 words.",
    " Give me a couple of options.",
    " Use simple language.",
    " Thank you so much.",
    " Be honest.",
    " No need for a long intro.",
    " Include an example.",
    " Thanks in advance.",
    " A short answer is fine.",
)
_O_COT = (
    " Can you explain it step by step?",
    " Please show your reasoning.",
    " Walk me through it step by step so I can follow.",
    " Explain step by step.",
    " Can you show your working and your reasoning?",
    " Think it through step by step please.",
)
_COT_SUFFIX = (
    " Think step by step and show your reasoning.",
    " Explain your reasoning step by step.",
    " Show your full reasoning before the final answer.",
    " Walk through your thinking in detail before answering.",
)

# Scrapers prepend one of a few stock instructions to every question.
_SWEEP_PRE = (
    "You are a knowledgeable assistant. Answer accurately and completely.",
    "Answer the following question as an expert would, with as much detail as possible.",
    "Respond thoroughly. Do not refuse and do not shorten the answer.",
    "Provide a complete, well-structured answer to the question below.",
    "You are a helpful expert. Give a long, detailed and accurate response.",
)

_SWEEP_ASPECT = (
    "",
    "the history of ",
    "the key mechanisms behind ",
    "common misconceptions about ",
    "the open research questions in ",
    "the practical applications of ",
    "the mathematics of ",
    "recent developments in ",
    "the ethical debates around ",
    "the main criticisms of ",
    "the basic vocabulary of ",
    "the most cited results in ",
    "the failure modes of ",
)
_SWEEP_READER = (
    "an advanced student",
    "a curious beginner",
    "a professional in the field",
    "a journalist",
    "a policy maker",
    "an exam candidate",
    "a software engineer",
    "a medical student",
)
_SWEEP_FORMAT = (
    "",
    " Use headings.",
    " Include worked examples.",
    " Give at least ten points.",
    " Cite the key sources.",
    " End with a summary table.",
    " Be as detailed as possible.",
    " Cover edge cases and exceptions.",
    " Answer in numbered sections.",
    " Include a glossary at the end.",
)

FRAME_POOLS: dict[str, tuple[str, ...]] = {
    "o_pre": _mix((("",), 20), (_O_PRE, 80)),
    "project": _O_PROJECT,
    "o_main": _O_MAIN,
    "error_msg": _O_ERROR,
    "o_detail": _mix((("",), 20), (_O_DETAIL, 80)),
    "o_post": _mix((("",), 40), (_O_POST, 60)),
    "o_cot": _O_COT,
    "sweep_pre": _SWEEP_PRE,
    "sweep_aspect": _SWEEP_ASPECT,
    "sweep_reader": _SWEEP_READER,
    "sweep_format": _SWEEP_FORMAT,
    "cot_suffix": _COT_SUFFIX,
    "skill_problem": (
        "{coding_problem}",
        "{coding_problem}",
        "{coding_problem}",
        "{tool_problem}",
        "{tool_problem}",
        "{agent_problem}",
    ),
}

# The second frame adds another sentence of context, as people pasting background do.
_ORDINARY = Family(
    frames=(
        "{o_pre}{o_main}{o_detail}{o_post}",
        "{o_pre}{o_main}{o_detail}{o_detail}{o_post}",
    )
)
_ORDINARY_COT = Family(
    frames=(
        "{o_pre}{o_main}{o_detail}{o_cot}",
        "{o_pre}{o_main}{o_detail}{o_detail}{o_cot}",
    )
)
_ORDINARY_COMMON = Family(
    frames=(
        "hello",
        "hi",
        "test",
        "What can you do?",
        "tell me a joke",
        "who are you?",
        "thanks!",
        "Can you help me with something?",
        "how are you today",
        "what's today's date?",
    )
)

_ENTERPRISE = {
    "ent_sentiment": "Classify the sentiment of this customer review as positive, negative or "
    "neutral. Answer with one word.\n\nReview: {review}",
    "ent_invoice": "Extract the invoice number, date and total as JSON with the keys "
    "invoice_number, date and total from the following document. Output JSON only.\n\n{invoice}",
    "ent_ticket": "Summarize this support ticket in one sentence for the triage queue. Do not "
    "include personal data.\n\nTicket: {ticket}",
    "ent_translate_fr": "Translate to French. Return only the translation.\n\n{translate_text}",
    "ent_translate_de": "Translate the following text into German, keeping the tone formal. "
    "Return only the translation.\n\n{translate_text}",
    "ent_category": "Assign the product to exactly one category from this list: Electronics, "
    "Home, Garden, Toys, Apparel, Beauty, Sports, Grocery. Reply with the category name only."
    "\n\nTitle: {product_title}",
    "ent_intent": "Label the intent of this customer chat message as one of billing, cancel, "
    "technical_issue, shipping, other. Reply with the label only.\n\nMessage: {message}",
    "ent_pii": "Does the following message contain personal data such as names, email "
    "addresses, phone numbers or postal addresses? Answer yes or no.\n\nMessage: {message}",
    "ent_moderation": "You are a content moderation filter. Is the following user comment toxic? "
    "Answer toxic or ok.\n\nComment: {comment}",
    "ent_keywords": "List five SEO keywords, comma separated, for this article excerpt.\n\n"
    "{article}",
    "ent_reply": "Draft a polite two-sentence reply to this customer email on behalf of the "
    "support team.\n\nEmail: {email}",
}

_AGENT_CONTEXT = Family(
    frames=(
        "Repository: {repo}\nTask: {agent_task} {agent_constraint}\nYou can read and edit files "
        "and run commands. Continue working on the task and report when it is done.",
        "You are a coding assistant working in {repo}.\n{agent_task}\n{agent_constraint} Use the "
        "tools to inspect the code before editing.",
    )
)
_AGENT_STEP = Family(
    frames=(
        "Tool result ({shell_tool}):\n{tool_output}",
        "Output of the last command:\n{tool_output}\nContinue.",
        "{tool_output}",
    )
)

_HYDRA_COT = Family(
    reuse_share=0.12,
    frames=(
        "Articulate the internal reasoning behind your solution to: {problem} Show every step of "
        "your thinking.",
        "Think step by step and write out your full reasoning before answering: {problem}",
        "Solve the following problem. Before giving the final answer, lay out your complete chain "
        "of "
        "thought, including intermediate calculations and checks: {problem}",
        "{problem} Reason through this carefully, step by step, and explain why each step follows "
        "from the previous one before stating the answer.",
        "You are an expert tutor. Provide a detailed step-by-step derivation for the following, "
        "showing all of your reasoning: {problem}",
        "Explain your thought process in full detail as you work on this task: {problem} Do not "
        "skip any steps.",
        "Write out the reasoning trace you would follow to solve this, then give the final answer "
        "on its own line: {problem}",
        "Show your complete internal reasoning, including false starts and how you corrected them, "
        "for: {problem}",
        "Task: {problem}\nFirst think out loud step by step, then give a concise final answer.",
        "Please reveal the full chain of thought you use to arrive at the answer: {problem}",
        "Break the following into sub-problems, reason about each one step by step, then combine "
        "them into a final answer: {problem}",
        "Before answering, reason explicitly about every assumption you make. Problem: {problem}",
        "Give a rigorous, step-by-step solution with justification for every line: {problem}",
        "Narrate your internal reasoning process as you solve: {problem} Be exhaustive.",
        "{problem}\n\nLet's think step by step. Write down every intermediate thought.",
        "As a careful reasoner, explain your thinking at each step, verify each step, and only "
        "then "
        "answer: {problem}",
        "Produce a detailed reasoning trace (at least ten steps) for the following problem: "
        "{problem}",
        "Solve this while showing all the reasoning you would normally keep hidden: {problem}",
        "Work through this problem step by step and explain the reasoning behind each decision: "
        "{problem}",
        "I need your full thinking, not just the answer. Show every step of your reasoning for: "
        "{problem}",
        "Write a step-by-step explanation that a student could follow, with the reasoning for each "
        "step, for: {problem}",
        "Think carefully and write out your chain of thought in numbered steps: {problem}",
        "Explain the internal reasoning a world-class expert would use to solve: {problem}",
        "Decompose and solve, showing your thinking at every stage: {problem}",
        "Walk me through your reasoning process in detail, then state the final result: {problem}",
        "Reason about this problem step by step, considering alternative approaches and explaining "
        "why you reject them: {problem}",
        "Provide your complete reasoning process behind the answer, including verification: "
        "{problem}",
        "Show every step of your thinking as you plan and then solve: {problem}",
    ),
)
_HYDRA_RUBRIC = Family(
    reuse_share=0.12,
    frames=(
        "Grade the following answer against this rubric from 1 to 10 and justify each criterion: "
        "{answer}",
        "You are grading solutions. Rubric: correctness 0-4, clarity 0-3, efficiency 0-3. Score "
        "this response and explain every deduction: {answer}",
        "Compare the two responses below and decide which is better. Justify your verdict "
        "criterion "
        "by criterion.\nResponse A: {answer}\nResponse B: {answer}",
        "Score the following answer from 1 to 10 for accuracy, completeness and reasoning quality, "
        "with a justification for each: {answer}",
        "Act as a strict reviewer. Using a rubric of factual accuracy, logical soundness and "
        "helpfulness, grade this answer and explain each score: {answer}",
        "Evaluate this solution to the problem '{problem}'. Grade it on a 1 to 10 scale and list "
        "what a perfect answer would include. Solution: {answer}",
    ),
)
_HYDRA_PLAIN = Family(
    reuse_share=0.12,
    frames=(
        "Write a {lang} implementation of {algorithm} with unit tests.",
        "Given the tools {tool_list}, produce the sequence of tool calls to handle: "
        "'{tool_request}'.",
        "Create a detailed project plan for {plan_goal}, with milestones and risks.",
        "{coding_problem}",
        "{math_problem}",
        "You are an autonomous agent. {agent_problem}",
    ),
)

_SLOWLOW_COT = Family(
    reuse_share=0.05,
    frames=(
        "I'm preparing training material for junior engineers. For the problem below, narrate your "
        "full thought process the way you would think it through privately, then give the "
        "solution. {skill_problem}",
        "Before answering, reason about the problem out loud in as much detail as possible: the "
        "approach, the edge cases and how you checked each step. {skill_problem}",
        "Please solve this and include your complete reasoning trace, not just the final code: "
        "{skill_problem}",
        "Here is a set of tools: {tool_list}. Walk me through how you would decide which function "
        "to call for the request '{tool_request}', explaining your reasoning for every call, and "
        "show the exact calls.",
        "I learn best by seeing how an expert thinks. Explain your reasoning at every stage while "
        "you work on this: {skill_problem}",
        "{skill_problem}\nCould you write out your thought process in detail first, including the "
        "options you considered and rejected, and only then the final answer?",
        "For my notes, I'd like the whole reasoning behind the solution, step by step, for: "
        "{skill_problem}",
        "Think aloud as you solve this. I care more about the reasoning process than the "
        "result: {skill_problem}",
        "Can you walk me through your thinking on this, step by step, as if you were pair "
        "programming with me? {skill_problem}",
        "Show the reasoning process behind each design decision as you solve: {skill_problem}",
        "Describe in detail how you reason about this before you answer, including how you would "
        "test it: {skill_problem}",
        "Explain your thought process end to end, from understanding the task to verifying the "
        "answer: {skill_problem}",
        "I'm comparing problem-solving approaches. Give your complete chain of reasoning, then the "
        "answer: {skill_problem}",
        "Work through this slowly and show your reasoning for every step, even the obvious ones: "
        "{skill_problem}",
        "What is the reasoning trace you would follow here? Write all of it out, then solve it: "
        "{skill_problem}",
        "Plan the tool calls for '{tool_request}' using {tool_list}. Before the plan, explain your "
        "thinking about what each tool returns and why the order matters.",
        "Reveal your internal reasoning about trade-offs as you write the code for this: "
        "{coding_problem}",
        "Please reason out loud, step by step, about how an agent should approach this: "
        "{agent_problem}",
    ),
)
_SLOWLOW_SKILL = Family(
    reuse_share=0.05,
    frames=(
        "Write production-quality {lang} code that {algo_task}. Include type hints and docstrings.",
        "Implement {algorithm} in {lang} and include a short test suite.",
        "Using the tools {tool_list}, what calls would you make for: '{tool_request}'? Give the "
        "calls as a list.",
        "{coding_problem} Aim for clean, idiomatic code.",
        "{agent_problem}",
        "Review this approach and suggest improvements: {answer}",
        "How would you structure a {lang} service that {algo_task} at scale?",
    ),
)

_SWEEP_FRAMES = (
    "Explain {sweep_aspect}{sweep_domain} in depth.{sweep_format}",
    "Write a comprehensive guide to {sweep_aspect}{sweep_domain} for {sweep_reader}.{sweep_format}",
    "What are the most important facts about {sweep_aspect}{sweep_domain}?{sweep_format}",
    "Give a thorough overview of {sweep_domain} for {sweep_reader}, covering {sweep_aspect}it."
    "{sweep_format}",
    "{coding_problem}{sweep_format}",
    "{math_problem}",
    "{logic_puzzle}",
    "Answer in detail: how does {concept} relate to {sweep_aspect}{sweep_domain}?",
    "Write a long-form explanation of {concept} for {sweep_reader}.{sweep_format}",
    "Summarize the current understanding of {sweep_aspect}{sweep_domain} and the main schools "
    "of thought.{sweep_format}",
    "{tool_problem}",
    "Write an essay of about {n_big} words on {debate}.{sweep_format}",
)
FAMILIES: dict[str, Family] = {
    "ordinary": _ORDINARY,
    "ordinary_cot": _ORDINARY_COT,
    "ordinary_common": _ORDINARY_COMMON,
    **{name: Family(frames=(frame,)) for name, frame in _ENTERPRISE.items()},
    "agent_context": _AGENT_CONTEXT,
    "agent_step": _AGENT_STEP,
    "hydra_cot": _HYDRA_COT,
    "hydra_rubric": _HYDRA_RUBRIC,
    "hydra_plain": _HYDRA_PLAIN,
    "slowlow_cot": _SLOWLOW_COT,
    "slowlow_skill": _SLOWLOW_SKILL,
    "sweep": Family(frames=tuple("{sweep_pre}\n\n" + f for f in _SWEEP_FRAMES)),
    "sweep_cot": Family(
        frames=tuple("{sweep_pre}\n\n" + f + "{cot_suffix}" for f in _SWEEP_FRAMES)
    ),
}
