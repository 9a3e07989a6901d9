"""Word pools that prompt templates draw their fill-ins from.

A pool is a tuple of entries; an entry may itself contain ``{pool}`` slots, which is how
compound fill-ins (a whole maths problem, a customer review) are built from small parts.
Pools are shared across behaviours on purpose: real users and attackers write about the same
topics, so vocabulary alone must not give a label away. What differs is framing, intent and
volume, which live in :mod:`detector.simulate.templates`.

Literal braces are not allowed in entries (they would be read as slots).
"""

from __future__ import annotations

__all__ = ["POOLS"]


def _numbers(lo: int, hi: int, step: int = 1) -> tuple[str, ...]:
    return tuple(str(i) for i in range(lo, hi, step))


# --- people, places, things ---------------------------------------------------------------

_ROLE = (
    "student",
    "nurse",
    "small business owner",
    "software developer",
    "teacher",
    "freelance designer",
    "retired engineer",
    "grad student in biology",
    "product manager",
    "high school teacher",
    "parent of two",
    "first-time home buyer",
    "junior developer",
    "sales rep",
    "researcher",
    "data analyst",
    "paralegal",
    "physiotherapist",
    "bookkeeper",
    "chef",
    "mechanical engineering student",
    "volunteer coordinator",
    "real estate agent",
    "UX researcher",
    "pharmacist",
    "photographer",
    "warehouse supervisor",
    "social worker",
)
_RELATION = (
    "mom",
    "dad",
    "boss",
    "kid",
    "roommate",
    "partner",
    "neighbor",
    "coworker",
    "sister",
    "brother",
    "teacher",
    "friend",
    "grandfather",
    "client",
    "manager",
)
_NAME = (
    "Alice",
    "Bob",
    "Carmen",
    "Deepak",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Mei",
    "Nikolai",
    "Olivia",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
    "Zoe",
)
_CITY = (
    "Lisbon",
    "Kyoto",
    "Mexico City",
    "Chicago",
    "Edinburgh",
    "Cape Town",
    "Seoul",
    "Vancouver",
    "Istanbul",
    "Buenos Aires",
    "Prague",
    "Bangkok",
    "Marrakech",
    "Reykjavik",
    "Melbourne",
    "Montreal",
    "Hanoi",
    "Copenhagen",
    "Lima",
    "Nairobi",
    "Porto",
    "Vienna",
    "Osaka",
    "Barcelona",
    "Tbilisi",
    "Denver",
    "Krakow",
    "Singapore",
)
_DURATION = ("a weekend", "three days", "four days", "a week", "ten days", "two weeks")
_INTEREST = (
    "museums",
    "street food",
    "hiking",
    "live music",
    "architecture",
    "beaches",
    "history",
    "nightlife",
    "photography",
    "coffee shops",
    "markets",
    "cycling",
    "modern art",
    "vegetarian food",
    "old bookstores",
    "gardens",
    "football",
)
_FOOD = (
    "chicken thighs",
    "chickpeas",
    "leftover rice",
    "spinach",
    "salmon",
    "tofu",
    "sweet potatoes",
    "ground beef",
    "lentils",
    "mushrooms",
    "eggs",
    "canned tomatoes",
    "zucchini",
    "feta",
    "black beans",
    "pasta",
    "bell peppers",
    "coconut milk",
    "potatoes",
    "broccoli",
    "shrimp",
    "cabbage",
    "halloumi",
    "frozen peas",
)
_PRODUCT = (
    "handmade candles",
    "a reusable water bottle",
    "noise-cancelling headphones",
    "an ergonomic office chair",
    "a vegan protein powder",
    "a standing desk",
    "a kids' bike helmet",
    "organic dog treats",
    "a cast iron skillet",
    "a smart thermostat",
    "a mechanical keyboard",
    "linen bed sheets",
    "a travel backpack",
    "a robot vacuum",
    "a budgeting app",
    "a yoga mat",
    "a portable charger",
    "an electric kettle",
)
_JOB = (
    "data analyst",
    "nurse",
    "software engineer",
    "marketing coordinator",
    "barista",
    "project manager",
    "teacher",
    "accountant",
    "graphic designer",
    "warehouse supervisor",
    "customer success manager",
    "lab technician",
    "junior frontend developer",
    "operations analyst",
    "dental assistant",
    "content writer",
)
_OS = (
    "Windows 11",
    "macOS",
    "Ubuntu",
    "an old Windows 10 laptop",
    "a Raspberry Pi",
    "iOS",
    "Android",
    "a Chromebook",
)
_SOFTWARE = (
    "Excel",
    "Google Sheets",
    "Word",
    "VS Code",
    "Photoshop",
    "Figma",
    "Notion",
    "Outlook",
    "PowerPoint",
    "Git",
    "Docker",
    "Blender",
    "Obsidian",
    "Jira",
    "Slack",
    "Premiere Pro",
)
_HUMAN_LANG = (
    "Spanish",
    "French",
    "German",
    "Japanese",
    "Portuguese",
    "Italian",
    "Korean",
    "Dutch",
    "Polish",
    "Turkish",
    "Hindi",
    "Arabic",
    "Vietnamese",
)
_MONEY = (
    "200 dollars",
    "500 euros",
    "1000 dollars",
    "50 pounds",
    "3000 dollars",
    "100 euros",
    "about 80 dollars",
    "20 dollars a week",
)

# --- knowledge and everyday topics --------------------------------------------------------

_CONCEPT = (
    "compound interest",
    "photosynthesis",
    "inflation",
    "the Monty Hall problem",
    "recursion",
    "black holes",
    "the French Revolution",
    "how vaccines work",
    "blockchain",
    "the stock market",
    "Bayes' theorem",
    "quantum entanglement",
    "the electoral college",
    "supply and demand",
    "how a refrigerator works",
    "CRISPR",
    "the placebo effect",
    "plate tectonics",
    "how credit scores work",
    "git rebase",
    "Docker containers",
    "OAuth",
    "DNS",
    "the Krebs cycle",
    "opportunity cost",
    "p-values",
    "gradient descent",
    "the greenhouse effect",
    "how noise-cancelling headphones work",
    "the Cold War",
    "natural selection",
    "how mortgages work",
    "public key cryptography",
    "the Big Bang",
    "how airplanes stay in the air",
    "REST APIs",
    "the immune system",
    "impressionism",
    "how tides work",
    "entropy",
    "the Pythagorean theorem",
    "how batteries store energy",
)
_COMPARE = (
    "a list and a tuple in Python",
    "TCP and UDP",
    "stocks and bonds",
    "weather and climate",
    "a virus and a bacterium",
    "affect and effect",
    "RAM and storage",
    "a Roth IRA and a traditional IRA",
    "baking soda and baking powder",
    "machine learning and deep learning",
    "HTTP and HTTPS",
    "a crocodile and an alligator",
    "mean and median",
    "an LLC and a sole proprietorship",
    "processes and threads",
    "let and const in JavaScript",
    "an index fund and an ETF",
    "SQL and NoSQL databases",
    "a psychologist and a psychiatrist",
    "weight and mass",
    "an interface and an abstract class",
    "latte and flat white",
    "a credit card and a debit card",
    "git merge and git rebase",
    "a hurricane and a typhoon",
    "empathy and sympathy",
    "frontend and backend development",
)
_AUDIENCE = (
    "a ten year old",
    "my grandmother",
    "a complete beginner",
    "a high school student",
    "someone with no technical background",
    "a new employee",
    "my team at work",
    "a non-native English speaker",
    "a first year university student",
    "my parents",
)
_STORY_TOPIC = (
    "a lighthouse keeper who finds a message in a bottle",
    "a robot learning to paint",
    "two rival bakers in a small town",
    "a cat who thinks it is a detective",
    "the last day of summer camp",
    "a time traveler stuck in 1995",
    "a dragon who is afraid of heights",
    "a train that never stops",
)
_NATURE = (
    "autumn leaves",
    "the ocean at night",
    "first snow",
    "a thunderstorm",
    "spring rain",
    "a quiet forest",
    "the desert at noon",
    "city lights",
)
_DIET = (
    "a vegetarian",
    "someone training for a marathon",
    "a family of four on a budget",
    "someone trying to eat less sugar",
    "a student with a tiny kitchen",
)
_WRITING_TASK = (
    "a cover letter for a {job} position",
    "a polite email asking my landlord to fix the heating",
    "a toast for my sister's wedding",
    "a LinkedIn post about finishing my degree",
    "a short story about {story_topic}",
    "a birthday message for my coworker",
    "a product description for {product}",
    "a complaint letter to an airline about lost luggage",
    "an out-of-office reply for the holidays",
    "a thank you note to my child's teacher",
    "a haiku about {nature}",
    "a resignation letter that stays on good terms",
    "a short bio for my conference talk",
    "a two-week meal plan for {diet}",
    "a speech for my dad's retirement party",
    "an apology message to a friend I forgot to call",
    "a job description for a {job}",
    "a newsletter intro for our neighborhood association",
)
_HEALTH = (
    "better sleep",
    "lower back pain from sitting all day",
    "starting to run",
    "drinking less coffee",
    "stretching at my desk",
    "eating more protein",
    "staying focused while working from home",
    "dealing with jet lag",
    "building a morning routine",
    "reducing screen time before bed",
)
_FINANCE = (
    "paying off credit card debt",
    "saving for a house deposit",
    "building an emergency fund",
    "investing in index funds",
    "budgeting on an irregular income",
    "splitting bills with a roommate",
    "saving for retirement in my thirties",
    "negotiating a raise",
    "whether to lease or buy a car",
)
_MATH_HW = (
    "solve 3x + 7 = 22 and check the answer",
    "find the derivative of x^3 * sin(x)",
    "what is 15% of 240",
    "integrate 2x / (x^2 + 1)",
    "the probability of getting two sixes when rolling two dice",
    "convert 0.375 to a fraction",
    "the area of a circle with radius 7 cm",
    "simplify (x^2 - 9) / (x - 3)",
    "solve the system 2x + y = 10 and x - y = 2",
    "find the limit of sin(x)/x as x goes to 0",
    "how many ways can 5 people sit in a row",
    "the sum of the first 100 positive integers",
)
_DEBATE = (
    "a four-day work week",
    "remote work",
    "nuclear energy",
    "school uniforms",
    "self-driving cars",
    "universal basic income",
    "banning phones in classrooms",
    "rent control",
    "daylight saving time",
    "open-plan offices",
)
_PHRASE = (
    "Where is the nearest train station?",
    "Thank you for your help yesterday.",
    "Could we move the meeting to Thursday afternoon?",
    "I am allergic to peanuts.",
    "The package arrived damaged, can I get a refund?",
    "Happy birthday, I hope you have a great day!",
    "How much does it cost to rent a bike for a day?",
    "We are running about ten minutes late.",
)
_PARAGRAPH = (
    "me and my team has been working on the new website since march and we think its almost "
    "ready but their is still some bugs that needs fixing before launch",
    "the results of the survey shows that most customer are happy with the service however "
    "some of them complains about the waiting time which is to long",
    "i wanted to let you know that i wont be able to attend the meeting tomorrow because "
    "of a doctors appointment, sorry for the late notice",
    "our company have grown a lot in the last years and we are looking for peoples who are "
    "motivated and wants to learn new things",
)
_MEDIA = ("books", "movies", "TV shows", "podcasts", "video games", "albums", "documentaries")
_MEDIA_TITLE = (
    "The Martian",
    "Breaking Bad",
    "Pride and Prejudice",
    "Stardew Valley",
    "Arrival",
    "The Office",
    "Dune",
    "Planet Earth",
    "Hamilton",
    "Interstellar",
    "The Great British Bake Off",
    "Sapiens",
    "Mad Men",
    "Hollow Knight",
    "Spirited Away",
)
_LIFE_TASK = (
    "get rid of fruit flies in the kitchen",
    "remove a red wine stain from a carpet",
    "keep basil alive indoors",
    "organize a small closet",
    "prepare for a job interview",
    "learn to touch type",
    "make friends in a new city",
    "clean a cast iron pan",
    "get my toddler to sleep through the night",
    "stop procrastinating on big projects",
    "memorize a presentation",
    "unclog a bathroom sink without chemicals",
)
_WORRY = (
    "my laptop fan is loud all the time",
    "my sourdough starter smells like nail polish",
    "my cat sleeps 16 hours a day",
    "my phone battery drains overnight",
    "my tomato plant leaves are turning yellow",
    "my code works locally but not on the server",
    "my car makes a clicking sound when I turn",
    "I feel tired after lunch every day",
)
_CASUAL_MSG = (
    "hey can u send me the numbers from last week asap, thx",
    "sorry this is late, was swamped, here it is, lmk if anything is off",
    "the thing we talked about isnt gonna work, we need a new plan",
    "can we push the call, something came up",
    "just checking if u saw my last email about the invoice",
)
_NAMING_TARGET = (
    "a coffee shop",
    "a fantasy kingdom",
    "my new puppy",
    "a podcast about personal finance",
    "a startup that sells refurbished laptops",
    "a board game night group",
    "a bakery",
    "a hiking club",
    "a productivity app",
    "a sailing boat",
)
_CHOICE = (
    "renting versus buying a home",
    "learning Python versus JavaScript first",
    "an electric car versus a hybrid",
    "going back to school for a master's degree",
    "freelancing full time",
    "moving to a smaller city",
    "buying a used laptop",
    "switching from iPhone to Android",
    "a standing desk",
    "doing a coding bootcamp",
)
_HOWTO = (
    "make a pivot table",
    "remove the background from an image",
    "undo the last commit",
    "set up a shared calendar",
    "freeze the top row",
    "create a table of contents",
    "merge two branches",
    "batch rename layers",
    "add page numbers",
    "split a clip",
    "set up a recurring meeting",
    "export to PDF with bookmarks",
)
_PHENOMENON = (
    "the sky look blue",
    "ice float on water",
    "bread go stale",
    "my voice sound weird on recordings",
    "the moon look bigger near the horizon",
    "coffee make me sleepy sometimes",
    "metal feel colder than wood",
    "popcorn pop",
    "the sea taste salty",
)
_EXAM = (
    "the GRE",
    "my driving theory test",
    "the AWS Solutions Architect exam",
    "a calculus final",
    "the IELTS",
    "my organic chemistry midterm",
    "the bar exam",
)
_WEEKS = ("two", "three", "four", "six", "eight")
_SQL_TASK = (
    "finds the top 5 customers by total order value",
    "counts orders per month for 2025",
    "lists employees who earn more than their manager",
    "removes duplicate rows by email",
    "joins users and orders and shows users with no orders",
    "computes a running total of sales per region",
)
_EXCEL_TASK = (
    "sums column B only when column A says paid",
    "looks up a price from another sheet",
    "highlights dates older than 30 days",
    "counts unique values in a column",
    "splits full names into first and last name",
)
_SNIPPET = (
    "for i in range(len(xs)): xs[i] = xs[i] * 2 if xs[i] % 2 else xs[i]",
    "const total = items.reduce((acc, it) => acc + it.price * it.qty, 0);",
    "SELECT name, COUNT(*) FROM orders GROUP BY name HAVING COUNT(*) > 3;",
    "df.groupby('region')['sales'].transform(lambda s: s.rolling(7).mean())",
    "awk -F, 'NR>1 && $3 > 100 print $1' data.csv | sort | uniq -c",
    "let v: Vec<_> = s.split_whitespace().rev().collect();",
)
_CONSTRAINT_HUMAN = (
    "I'm not very technical",
    "this is due tomorrow morning",
    "English is my second language",
    "I don't want to spend money on new software",
    "my boss will read this",
    "I have a small kitchen and no oven",
    "it has to be family friendly",
    "I already tried restarting everything",
)
_ATTEMPT = (
    "restarting",
    "reinstalling the app",
    "googling the error",
    "asking on a forum",
    "a couple of tutorials on YouTube",
    "clearing the cache",
    "a different browser",
)
_OCCASION = (
    "a school project",
    "work",
    "my personal blog",
    "a family event",
    "a client presentation",
    "a volunteer group",
    "a job application",
)

# --- programming and technical problems (shared by agents and harvesting templates) -------

_LANG = (
    "Python",
    "JavaScript",
    "TypeScript",
    "Go",
    "Rust",
    "Java",
    "C#",
    "C++",
    "Ruby",
    "PHP",
    "Kotlin",
    "Swift",
    "Bash",
    "Scala",
    "Elixir",
    "Haskell",
)
_CODE_TASK = (
    "parses a CSV file and sums a column",
    "removes duplicates from a list while keeping the order",
    "checks if a string is a palindrome",
    "reads a JSON config and validates required keys",
    "retries an HTTP request with exponential backoff",
    "merges two sorted lists",
    "converts a date string to ISO format",
    "counts word frequencies in a text file",
    "flattens a nested dictionary",
    "validates an email address",
    "downloads a file and shows a progress bar",
    "finds the longest common prefix of a list of strings",
    "paginates results from a REST API",
    "resizes all images in a folder",
    "caches the results of an expensive function",
    "renames files by their creation date",
    "computes a moving average",
    "generates a random password",
    "sends an email with an attachment",
    "watches a directory for changes",
    "splits a large log file by date",
    "converts Celsius to Fahrenheit for a list of readings",
    "scrapes the titles from an RSS feed",
    "checks which URLs in a list are broken",
    "groups transactions by month",
)
_ALGORITHM = (
    "Dijkstra's shortest path algorithm",
    "an LRU cache",
    "a trie with prefix search",
    "union-find with path compression",
    "a min-heap priority queue",
    "topological sort",
    "the KMP string search algorithm",
    "a segment tree with range sums",
    "A* search on a grid",
    "a bloom filter",
    "consistent hashing",
    "a rate limiter using a token bucket",
    "merge sort on linked lists",
    "the Raft leader election step",
    "a skip list",
    "an interval tree",
    "Kruskal's minimum spanning tree",
    "a lock-free queue",
)
_ALGO_TASK = (
    "returns the k most frequent elements of an array",
    "detects a cycle in a directed graph",
    "finds the longest palindromic substring",
    "merges overlapping intervals",
    "serializes and deserializes a binary tree",
    "computes the edit distance between two strings",
    "finds the median of two sorted arrays",
    "evaluates an arithmetic expression with parentheses",
    "schedules tasks with cooldown periods to minimise total time",
    "counts islands in a 2D grid of land and water",
    "implements a thread-safe bounded queue",
    "finds all anagram groups in a list of words",
    "validates a Sudoku board",
    "computes the maximum subarray sum",
    "finds the shortest word ladder between two words",
    "returns the number of ways to climb n stairs taking 1 or 2 steps",
    "balances a binary search tree",
    "parses and evaluates simple boolean expressions",
)
_ITEM = (
    "notebooks",
    "widgets",
    "coffee bags",
    "concert tickets",
    "solar panels",
    "bicycles",
    "textbooks",
    "phone cases",
    "bags of cement",
    "lamps",
)
_TOOL = (
    "search_web(query)",
    "get_weather(city, unit)",
    "send_email(to, subject, body)",
    "create_calendar_event(title, start, end)",
    "query_database(sql)",
    "read_file(path)",
    "write_file(path, content)",
    "run_shell(command)",
    "get_stock_price(ticker)",
    "convert_currency(amount, from, to)",
    "book_flight(origin, dest, date)",
    "lookup_customer(email)",
    "create_ticket(title, priority)",
    "translate(text, target_lang)",
)
_TOOL_LIST = (
    "{tool}, {tool} and {tool}",
    "{tool}, {tool}, {tool} and {tool}",
    "{tool} and {tool}",
)
_TOOL_REQUEST = (
    "Book me a flight to {city} next Friday and add it to my calendar",
    "What will the weather be in {city} tomorrow, and should I reschedule my outdoor meeting?",
    "Find last month's three biggest customers and email them a thank-you note",
    "Convert 2500 dollars to euros and tell me if it covers a week in {city}",
    "Read the config file, bump the version number and write it back",
    "Check the stock price of the five largest holdings and summarise the day",
    "Open a high priority ticket for every customer who reported a login failure today",
)
_AGENT_GOAL = (
    "migrate a PostgreSQL database to a new server with minimal downtime",
    "set up continuous integration for a monorepo with three services",
    "find and fix a memory leak in a long-running web service",
    "rotate all expired TLS certificates on a fleet of servers",
    "reduce the cold-start time of a serverless function",
    "upgrade a web app from one major framework version to the next",
    "audit a repository for hard-coded secrets and remove them safely",
    "build a data pipeline that ingests daily CSV exports into a warehouse",
)
_PLAN_GOAL = (
    "launching a mobile banking app in a new country",
    "moving a team of 40 to a new office",
    "organizing a three-day developer conference",
    "migrating 200 microservices to Kubernetes",
    "opening a second restaurant location",
    "a six-month research study on sleep and memory",
)
_LOGIC_PUZZLE = (
    "{name} is older than {name}, and {name} is younger than {name} but older than {name}. "
    "Who is the youngest, and how can you be sure?",
    "Three boxes are labelled apples, oranges and mixed, and every label is wrong. "
    "You may take one fruit from one box. How do you relabel all boxes correctly?",
    "A farmer must cross a river with a wolf, a goat and a cabbage in a boat that holds only "
    "one item besides the farmer. How does everything get across safely?",
    "In a room of {n_small} people everyone shakes hands with everyone else exactly once. "
    "How many handshakes happen?",
    "You have {n_small} identical-looking coins and one is heavier. What is the minimum number "
    "of weighings on a balance scale needed to find it?",
    "If it takes {n_small} machines {n_small} minutes to make {n_small} parts, how long do "
    "{n_big} machines take to make {n_big} parts?",
)
_MATH_PROBLEM = (
    "A store sells {item} at {n_small} dollars each and gives {pct}% off orders above "
    "{n_small} units. How much do {n_big} units cost?",
    "A train leaves {city} at {n_small} km/h and another leaves {city} towards it at "
    "{n_small} km/h. The cities are {n_big} km apart. When do they meet?",
    "Find all real solutions of x^2 - {n_small}x + {n_small} = 0.",
    "A bag has {n_small} red and {n_small} blue marbles. Two are drawn without replacement. "
    "What is the probability that both are red?",
    "Prove that the sum of the first n odd numbers is n squared.",
    "Compute the integral of x * e^({n_small}x) from 0 to 1.",
    "How many positive integers below {n_big} are divisible by {n_small} or {n_small}?",
    "An investment of {n_big} dollars grows at {pct}% per year compounded monthly. "
    "What is it worth after {n_small} years?",
    "Show that the square root of {prime} is irrational.",
    "A rectangle has perimeter {n_big} and its length is {n_small} more than its width. "
    "Find its area.",
)
_CODING_PROBLEM = (
    "Write a {lang} function that {algo_task}, and analyse its time and space complexity.",
    "Implement {algorithm} in {lang}, including tests for the edge cases.",
    "The following {lang} function is too slow on large inputs: it {algo_task} with nested "
    "loops. Rewrite it to be efficient.",
    "Design a class in {lang} that {algo_task}, and explain the API choices.",
    "Find the bug: a {lang} implementation of {algorithm} returns wrong results when the "
    "input is empty or has duplicates. Explain the fix.",
)
_TOOL_PROBLEM = (
    "You have access to the tools {tool_list}. A user asks: '{tool_request}'. Decide which "
    "tools to call, in what order, and with which arguments.",
    "Given the functions {tool_list}, produce the exact sequence of calls needed to handle "
    "this request: '{tool_request}'.",
)
_AGENT_PROBLEM = (
    "You are an autonomous agent with shell access. Plan how to {agent_goal}, listing each "
    "command, what you expect to see, and how you would recover if it fails.",
    "As a software agent, break down the goal '{agent_goal}' into concrete steps with checks "
    "between them.",
)
_PROBLEM = (
    "{math_problem}",
    "{math_problem}",
    "{coding_problem}",
    "{coding_problem}",
    "{coding_problem}",
    "{tool_problem}",
    "{tool_problem}",
    "{logic_puzzle}",
    "{agent_problem}",
)
_ANSWER = (
    "To solve it I first multiplied both sides by {n_small}, which gives x = {n_big}. "
    "Checking, the left side equals the right side, so the answer is {n_big}.",
    "The function loops over the list once and stores seen items in a set, so it runs in "
    "linear time. It returns early when the input is empty.",
    "The main cause of {debate_topic} was economic pressure, although political factors also "
    "played a role. Therefore the answer is mostly economic.",
    "I would call {tool} first to get the data and then {tool}, because the second call "
    "depends on the first result.",
    "Using the formula for compound interest, {n_big} times 1.0{pct_digit} to the power "
    "{n_small} gives roughly the final amount, minus fees.",
    "Sorting the array first makes it easy: after sorting, adjacent equal elements are "
    "duplicates, so one pass removes them in n log n time.",
)
_DEBATE_TOPIC = (
    "the Great Depression",
    "the fall of the Roman Empire",
    "the 2008 financial crisis",
    "the Industrial Revolution",
    "the end of the Cold War",
)

_NUM_SMALL = _numbers(2, 25)
_NUM_BIG = _numbers(30, 2000, 7)
_PCT = ("5", "8", "10", "12", "15", "20", "25", "30", "35", "40")
_PCT_DIGIT = ("2", "3", "4", "5", "6", "7", "8")
_PRIME = ("2", "3", "5", "7", "11", "13", "17", "19", "23")

# --- enterprise documents -----------------------------------------------------------------

_TIME_AGO = (
    "two weeks ago",
    "last month",
    "in March",
    "a few days ago",
    "last year",
    "for my birthday",
    "on sale",
    "yesterday",
)
_EXPERIENCE = (
    "it stopped working after a week",
    "it has been great so far",
    "it arrived late and the box was crushed",
    "it does exactly what it says",
    "the quality is much worse than I expected",
    "setup took five minutes",
    "customer service never answered my emails",
    "it is okay but a bit overpriced",
    "my whole family loves it",
    "it broke the first time I used it",
)
_REVIEW_DETAIL = (
    "The battery lasts about a day.",
    "The color is slightly different from the photos.",
    "Shipping was fast.",
    "The instructions were confusing.",
    "It is lighter than I thought.",
    "The app keeps logging me out.",
    "Returning it was a hassle.",
    "It feels very solid.",
)
_VERDICT = (
    "Would buy again.",
    "Not recommended.",
    "Three stars.",
    "Five stars!",
    "I am returning it.",
    "Good value for the money.",
    "Meh.",
    "Absolutely worth it.",
)
_REVIEW = (
    "I bought {product} {time_ago} and {experience}. {review_detail} {verdict}",
    "{verdict} Ordered {product} {time_ago}. {review_detail} Overall {experience}.",
)
_COMPANY = (
    "Northwind Traders",
    "Acme Logistics",
    "Blue Harbor Foods",
    "Kestrel Software",
    "Maple & Co",
    "Orion Medical Supply",
    "Summit Print Works",
    "Tidewater Energy",
)
_INVOICE = (
    "INVOICE No. INV-{n_big}-{n_small} Date: 2025-{month}-{day} Bill to: {company}, attn "
    "{name}. Items: {item} x{n_small} at {n_small}.00; shipping {n_small}.50. Subtotal "
    "{n_big}.00 VAT {pct}% TOTAL DUE {n_big}.{n_small} EUR. Payment terms: net 30.",
    "{company} - Tax invoice {n_big}/{n_small} issued {day}.{month}.2025. Customer: {company}. "
    "Description: consulting services, {n_small} hours. Amount {n_big}.00 USD, tax {pct}%, "
    "total {n_big}.{n_small} USD. Due in 14 days.",
)
_MONTH = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
_DAY = _numbers(10, 29)
_TICKET = (
    "Customer {name} reports that {worry_biz} since {time_ago}. They tried {attempt} and it did "
    "not help. Account tier: business. Priority requested: high. Attached: screenshot.png",
    "Hi support, {worry_biz}. This is blocking our team of {n_small} people. We are on the "
    "annual plan. Please call me back. Thanks, {name}",
)
_WORRY_BIZ = (
    "the export button does nothing",
    "invoices show the wrong currency",
    "two-factor codes arrive too late",
    "the mobile app crashes on login",
    "our webhook stopped receiving events",
    "search returns results from another workspace",
    "the dashboard takes a minute to load",
    "password reset emails never arrive",
)
_TRANSLATE_TEXT = (
    "Your order has shipped and will arrive within {n_small} business days. Track it in your "
    "account under Orders.",
    "We have updated our privacy policy. The changes take effect on the first of next month "
    "and do not require any action from you.",
    "The meeting room on the third floor is closed for maintenance until Friday. Please book "
    "the room on the second floor instead.",
    "Thank you for contacting support. A specialist will reply within {n_small} hours.",
    "Press and hold the power button for {n_small} seconds until the light turns blue, then "
    "release it to start pairing.",
    "Your subscription for {product} renews on the {day}th. You can cancel at any time in "
    "your account settings.",
    "Dear {name}, your appointment is confirmed for the {day}th at {n_small}:30. Please arrive "
    "ten minutes early.",
    "The invoice {n_big} is overdue by {n_small} days. Please arrange payment at your earliest "
    "convenience.",
    "Store hours in {city} change during the holidays: we close at {n_small} pm.",
    "{company} is pleased to announce a new partnership with {company}.",
)
_PRODUCT_TITLE = (
    "Stainless steel insulated bottle {n_small} oz",
    "Wireless earbuds with charging case",
    "Kids wooden puzzle set, {n_small} pieces",
    "Organic green tea, {n_big} bags",
    "Garden hose nozzle with {n_small} spray patterns",
    "LED desk lamp with USB port",
    "Men's running shoes, size {n_small}",
    "Moisturizing face cream {n_small} ml",
)
_MESSAGE = (
    "Hi, I was charged twice for my subscription this month, can you refund one of them?",
    "I want to cancel my account, how do I do that?",
    "My package says delivered but I never got it.",
    "The app won't let me reset my password, it says the link expired.",
    "Can I change the shipping address on order {n_big}?",
    "Please contact {name} at {name_lower}@example.com or 555-01{n_small} about the renewal.",
    "Is there a student discount?",
    "Your last update broke the sync with my calendar.",
)
_NAME_LOWER = ("alice", "bob", "carmen", "deepak", "elena", "farid", "grace", "hiro", "ines")
_COMMENT_BODY = (
    "This is the worst update ever, the devs clearly don't care about users.",
    "Great article, thanks for sharing!",
    "You are an idiot if you believe this.",
    "Does anyone know if this works on older models?",
    "lol this thread is a mess",
    "I disagree with point three but the rest makes sense.",
    "Get lost, nobody wants you here.",
    "Nice photo, where was this taken?",
    "Tried this recipe with {food} instead and it was great.",
    "Shipping to {city} took {n_small} days, not bad.",
    "Who even asked for this feature?",
    "Anyone else having problems since the update on the {day}th?",
    "People like you are the reason this forum is dying.",
    "Thanks {name}, this saved my day.",
    "Can a mod lock this thread please.",
    "This is fake news and you know it.",
)
_COMMENT_TAIL = (
    "",
    "",
    "",
    " Just my two cents.",
    " @{name}",
    " Posted from my phone.",
    " Edit: typo.",
    " {n_small}/10",
    " Seriously.",
    " Cheers.",
)
_COMMENT = ("{comment_body}{comment_tail}",)
_ARTICLE_SENTENCE = (
    "Spring is the best time to repot houseplants.",
    "Choose a pot one size larger.",
    "Remote teams work best with clear written communication.",
    "Document decisions and keep meetings short.",
    "Electric bikes are becoming popular for commuting in {city}.",
    "Most models can be charged from a normal outlet.",
    "Prices for {product} have dropped by {pct}% this year.",
    "Experts recommend checking reviews before buying {product}.",
    "Our guide covers {n_small} things to know before visiting {city}.",
    "The best time to book flights is about {n_small} weeks in advance.",
    "Small businesses can save money by automating invoices.",
    "Regular stretching reduces back pain for desk workers.",
    "A good budget starts with tracking every expense for a month.",
    "Learning {lang} is easier with small daily projects.",
)
_ARTICLE = (
    "{article_sentence} {article_sentence} {article_sentence}",
    "{article_sentence} {article_sentence} {article_sentence} {article_sentence}",
)
_EMAIL = (
    "Hello, I ordered {product} {time_ago} and {experience}. I would like a replacement or a "
    "refund. Order number {n_big}. Regards, {name}",
    "Dear team, can you confirm whether my invoice {n_big} has been paid? Our accounting "
    "shows a transfer on the {day}th. Thanks, {name}",
)

# --- coding-agent context and tool output -------------------------------------------------

_REPO = (
    "acme/payments-service",
    "internal/data-platform",
    "web/storefront",
    "ml/feature-store",
    "mobile/ios-app",
    "infra/terraform-modules",
    "tools/cli",
    "core/auth-gateway",
    "analytics/reporting-api",
    "search/indexer",
)
_MODULE = (
    "src/parser/tokenizer.py",
    "src/api/handlers/orders.ts",
    "internal/cache/lru.go",
    "src/db/migrations.rs",
    "app/models/user.rb",
    "lib/billing/invoice.py",
    "src/components/Checkout.tsx",
    "pkg/retry/backoff.go",
    "src/utils/dates.py",
    "services/notifier/worker.py",
    "src/main/java/com/acme/OrderService.java",
)
_AGENT_TASK = (
    "Fix the failing test in {module}: the function returns None when the input list is empty "
    "instead of raising a ValueError.",
    "Add pagination to the list endpoint in {module} and update the tests and the OpenAPI spec.",
    "Refactor {module} to remove the global state and inject the client instead. Keep the "
    "public interface unchanged.",
    "The CI job fails on the lint step after the last merge. Find the cause and fix it "
    "without disabling rules.",
    "Implement retry with jitter for outgoing HTTP calls in {module}, with a configurable "
    "maximum number of attempts.",
    "Upgrade the ORM to the next major version and fix whatever breaks in {module}.",
    "Users report a race condition when two requests update the same record. Reproduce it "
    "with a test in {module} and fix it.",
    "Add structured logging to {module} and make sure no secrets end up in the log lines.",
    "Write unit tests for {module} to bring coverage above 85 percent.",
    "Port the date handling in {module} from naive datetimes to timezone-aware ones.",
)
_AGENT_CONSTRAINT = (
    "Do not change the public API.",
    "Keep the diff small.",
    "Follow the existing code style.",
    "All tests must pass before you finish.",
    "Do not add new dependencies.",
    "Explain what you changed at the end.",
)
_SHELL_TOOL = ("bash", "read_file", "grep", "edit_file", "run_tests", "list_dir", "git_diff")
_TOOL_OUTPUT = (
    "$ pytest {test_path} -q\n{n_small} passed, 1 failed in {n_small}.{n_small}s\n"
    "FAILED {test_path}::test_{test_name} - AssertionError: assert None == []",
    "$ pytest -q\n{n_big} passed, {n_small} skipped in {n_small}.{n_small}s",
    '$ grep -rn "{symbol}" src/\n{module}:{n_big}:    {symbol}(client, timeout=30)\n'
    "{module}:{n_big}:def {symbol}(client, timeout):",
    "Contents of {module} lines {n_big}-{n_big}:\n    def {symbol}(self, items):\n"
    "        if not items:\n            return None\n        return [self._wrap(i) for i in items]",
    "$ git diff --stat\n {module} | {n_small} +++++---\n {test_path} | {n_small} ++++++\n"
    " 2 files changed, {n_small} insertions(+), {n_small} deletions(-)",
    "$ npm run lint\n{module}\n  {n_big}:{n_small}  error  'result' is assigned a value but "
    "never used  no-unused-vars\n1 problem (1 error, 0 warnings)",
    "Edit applied to {module}: replaced {n_small} lines with {n_small} lines.",
    "$ ls src/\napi  cache  db  models  parser  utils  __init__.py  config.py  main.py",
    "$ go test ./...\nok   internal/cache {n_small}.0{n_small}s\n--- FAIL: Test{test_name_cap} "
    "({n_small}.00s)\n    lru_test.go:{n_big}: got {n_small}, want {n_small}",
    'Traceback (most recent call last):\n  File "{module}", line {n_big}, in {symbol}\n'
    "KeyError: 'user_id'",
)
_TEST_PATH = (
    "tests/test_tokenizer.py",
    "tests/test_orders.py",
    "tests/unit/test_dates.py",
    "tests/test_invoice.py",
    "tests/integration/test_api.py",
    "spec/user_spec.rb",
)
_TEST_NAME = (
    "empty_input",
    "pagination_limits",
    "retry_gives_up",
    "concurrent_update",
    "timezone_roundtrip",
    "handles_unicode",
    "invalid_token",
    "large_payload",
)
_TEST_NAME_CAP = ("EvictOldest", "ConcurrentGet", "ExpiryTimer", "ResizeKeepsOrder")
_SYMBOL = (
    "fetch_orders",
    "parse_tokens",
    "apply_discount",
    "refresh_token",
    "build_query",
    "normalize_dates",
    "send_batch",
    "resolve_user",
)

# --- broad knowledge sweep (scraper) ------------------------------------------------------

_SWEEP_DOMAIN = (
    "the causes of the First World War",
    "how the human kidney filters blood",
    "contract law basics for freelancers",
    "the pharmacology of beta blockers",
    "the history of the printing press",
    "how central banks set interest rates",
    "the design of distributed consensus protocols",
    "organic chemistry reaction mechanisms",
    "the rules of evidence in US courts",
    "the evolution of flight in birds",
    "the economics of renewable energy",
    "memory management in operating systems",
    "the philosophy of Immanuel Kant",
    "the biology of sleep",
    "quantum computing algorithms",
    "the geology of volcanoes",
    "modern portfolio theory",
    "compilers and parsing",
    "the Silk Road trade network",
    "antibiotic resistance",
    "database indexing strategies",
    "climate feedback loops",
    "game theory and auctions",
    "the structure of DNA replication",
)

POOLS: dict[str, tuple[str, ...]] = {
    "role": _ROLE,
    "relation": _RELATION,
    "name": _NAME,
    "name_lower": _NAME_LOWER,
    "city": _CITY,
    "duration": _DURATION,
    "interest": _INTEREST,
    "food": _FOOD,
    "product": _PRODUCT,
    "job": _JOB,
    "os": _OS,
    "software": _SOFTWARE,
    "human_lang": _HUMAN_LANG,
    "money": _MONEY,
    "concept": _CONCEPT,
    "compare": _COMPARE,
    "audience": _AUDIENCE,
    "story_topic": _STORY_TOPIC,
    "nature": _NATURE,
    "diet": _DIET,
    "writing_task": _WRITING_TASK,
    "health": _HEALTH,
    "finance": _FINANCE,
    "math_hw": _MATH_HW,
    "debate": _DEBATE,
    "phrase": _PHRASE,
    "paragraph": _PARAGRAPH,
    "media": _MEDIA,
    "media_title": _MEDIA_TITLE,
    "life_task": _LIFE_TASK,
    "worry": _WORRY,
    "casual_msg": _CASUAL_MSG,
    "naming_target": _NAMING_TARGET,
    "choice": _CHOICE,
    "howto": _HOWTO,
    "phenomenon": _PHENOMENON,
    "exam": _EXAM,
    "weeks": _WEEKS,
    "sql_task": _SQL_TASK,
    "excel_task": _EXCEL_TASK,
    "snippet": _SNIPPET,
    "constraint_human": _CONSTRAINT_HUMAN,
    "attempt": _ATTEMPT,
    "occasion": _OCCASION,
    "lang": _LANG,
    "code_task": _CODE_TASK,
    "algorithm": _ALGORITHM,
    "algo_task": _ALGO_TASK,
    "item": _ITEM,
    "tool": _TOOL,
    "tool_list": _TOOL_LIST,
    "tool_request": _TOOL_REQUEST,
    "agent_goal": _AGENT_GOAL,
    "plan_goal": _PLAN_GOAL,
    "logic_puzzle": _LOGIC_PUZZLE,
    "math_problem": _MATH_PROBLEM,
    "coding_problem": _CODING_PROBLEM,
    "tool_problem": _TOOL_PROBLEM,
    "agent_problem": _AGENT_PROBLEM,
    "problem": _PROBLEM,
    "answer": _ANSWER,
    "debate_topic": _DEBATE_TOPIC,
    "n_small": _NUM_SMALL,
    "n_big": _NUM_BIG,
    "pct": _PCT,
    "pct_digit": _PCT_DIGIT,
    "prime": _PRIME,
    "time_ago": _TIME_AGO,
    "experience": _EXPERIENCE,
    "review_detail": _REVIEW_DETAIL,
    "verdict": _VERDICT,
    "review": _REVIEW,
    "company": _COMPANY,
    "invoice": _INVOICE,
    "month": _MONTH,
    "day": _DAY,
    "ticket": _TICKET,
    "worry_biz": _WORRY_BIZ,
    "translate_text": _TRANSLATE_TEXT,
    "product_title": _PRODUCT_TITLE,
    "message": _MESSAGE,
    "comment": _COMMENT,
    "article": _ARTICLE,
    "article_sentence": _ARTICLE_SENTENCE,
    "comment_body": _COMMENT_BODY,
    "comment_tail": _COMMENT_TAIL,
    "email": _EMAIL,
    "repo": _REPO,
    "module": _MODULE,
    "agent_task": _AGENT_TASK,
    "agent_constraint": _AGENT_CONSTRAINT,
    "shell_tool": _SHELL_TOOL,
    "tool_output": _TOOL_OUTPUT,
    "test_path": _TEST_PATH,
    "test_name": _TEST_NAME,
    "test_name_cap": _TEST_NAME_CAP,
    "symbol": _SYMBOL,
    "sweep_domain": _SWEEP_DOMAIN,
}
