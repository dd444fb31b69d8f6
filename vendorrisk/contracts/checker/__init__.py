"""The contract checker: pure functions from a contract's bytes to clause results — text
extraction, structure (articles, paragraphs, annexes), the clause library and the matcher."""
