"""Parser and evaluator for the subset of Mixpanel's segmentation
expressions that the test server accepts in the export `where` parameter.

Supported: `properties["K"]`, string, number, boolean and list literals,
`== != < <= > >= in`, `+ - * / %`, unary `-`, `and`/`or`/`not` in any case,
parentheses, `defined(x)`, `number(x)`, `boolean(x)`, `string(x)` and
`string(x, fallback)`, `floor`/`round`/`ceil`, and `any(X, list, X="V")`,
where a single `=` compares like `==`.

Precedence, from loosest to tightest: or, and, not, comparison, + -,
* / %, unary minus. Mixpanel does not document precedence; these are the
usual rules.
"""

import math
import re


class ParseError(ValueError):
    pass


class Undefined:
    def __repr__(self):
        return "undefined"


UNDEFINED = Undefined()

TOKEN_PATTERN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(\.\d*)?|\.\d+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>==|!=|<=|>=|<|>|=|\+|-|\*|/|%|\(|\)|\[|\]|,)
""", re.VERBOSE)


def tokenize(text):
    tokens = []
    position = 0
    while position < len(text):
        match = TOKEN_PATTERN.match(text, position)
        if not match:
            raise ParseError("unexpected character %r at offset %d"
                             % (text[position], position))
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "space":
            continue
        if kind == "string":
            value = bytes(value[1:-1], "utf-8").decode("unicode_escape")
        elif kind == "number":
            value = float(value)
        elif kind == "name":
            lowered = value.lower()
            if lowered in ("and", "or", "not", "in", "true", "false"):
                kind, value = "keyword", lowered
        tokens.append((kind, value))
    tokens.append(("end", None))
    return tokens


def truthy(value):
    if value is UNDEFINED or value is None:
        return False
    return bool(value)


def to_number(value):
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return UNDEFINED
    return UNDEFINED


def equal(left, right):
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) \
            and not isinstance(left, bool) and not isinstance(right, bool):
        return float(left) == float(right)
    if type(left) is not type(right):
        return False
    return left == right


def compare(operator, left, right):
    if operator == "==":
        return equal(left, right)
    if operator == "!=":
        return not equal(left, right)
    if operator == "in":
        if isinstance(right, str) and isinstance(left, str):
            return left in right
        if isinstance(right, list):
            return any(equal(left, item) for item in right)
        return False
    numbers = (int, float)
    if not isinstance(left, numbers) or not isinstance(right, numbers) \
            or isinstance(left, bool) or isinstance(right, bool):
        return UNDEFINED
    return {"<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[operator]


def arithmetic(operator, left, right):
    left, right = to_number(left), to_number(right)
    if left is UNDEFINED or right is UNDEFINED:
        return UNDEFINED
    if operator in ("/", "%") and right == 0:
        return UNDEFINED
    return {"+": left + right, "-": left - right, "*": left * right,
            "/": left / right if right else 0,
            "%": math.fmod(left, right) if right else 0}[operator]


class Node:
    def __init__(self, evaluate):
        self.evaluate_with = evaluate

    def evaluate(self, properties, variables=None):
        return self.evaluate_with(properties, variables or {})


class Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self):
        return self.tokens[self.index]

    def next(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, kind, value=None):
        token = self.peek()
        if token[0] == kind and (value is None or token[1] == value):
            self.index += 1
            return True
        return False

    def expect(self, kind, value=None):
        token = self.next()
        if token[0] != kind or (value is not None and token[1] != value):
            raise ParseError("expected %s but found %r"
                             % (value or kind, token[1]))
        return token[1]

    def parse(self):
        node = self.parse_or()
        if self.peek()[0] != "end":
            raise ParseError("unexpected %r after the expression"
                             % (self.peek()[1],))
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.accept("keyword", "or"):
            node = self.binary_logic(node, self.parse_and(), any)
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.accept("keyword", "and"):
            node = self.binary_logic(node, self.parse_not(), all)
        return node

    @staticmethod
    def binary_logic(left, right, combine):
        return Node(lambda p, v: combine(
            truthy(side.evaluate_with(p, v)) for side in (left, right)))

    def parse_not(self):
        if self.accept("keyword", "not"):
            inner = self.parse_not()
            return Node(lambda p, v: not truthy(inner.evaluate_with(p, v)))
        return self.parse_comparison()

    def parse_comparison(self):
        left = self.parse_additive()
        token = self.peek()
        operators = ("==", "!=", "<", "<=", ">", ">=", "=")
        if (token[0] == "op" and token[1] in operators) or token == (
                "keyword", "in"):
            self.next()
            operator = "==" if token[1] == "=" else token[1]
            right = self.parse_additive()
            return Node(lambda p, v: compare(operator, left.evaluate_with(
                p, v), right.evaluate_with(p, v)))
        return left

    def parse_additive(self):
        node = self.parse_multiplicative()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            node = self.binary_arithmetic(node, self.next()[1],
                                          self.parse_multiplicative())
        return node

    def parse_multiplicative(self):
        node = self.parse_unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "%"):
            node = self.binary_arithmetic(node, self.next()[1],
                                          self.parse_unary())
        return node

    @staticmethod
    def binary_arithmetic(left, operator, right):
        return Node(lambda p, v: arithmetic(
            operator, left.evaluate_with(p, v), right.evaluate_with(p, v)))

    def parse_unary(self):
        if self.accept("op", "-"):
            inner = self.parse_unary()
            return Node(lambda p, v: arithmetic(
                "-", 0.0, inner.evaluate_with(p, v)))
        return self.parse_primary()

    def parse_primary(self):
        kind, value = self.next()
        if kind in ("number", "string"):
            return Node(lambda p, v: value)
        if kind == "keyword" and value in ("true", "false"):
            return Node(lambda p, v: value == "true")
        if (kind, value) == ("op", "("):
            node = self.parse_or()
            self.expect("op", ")")
            return node
        if (kind, value) == ("op", "["):
            return self.parse_list()
        if kind == "name":
            return self.parse_name(value)
        raise ParseError("unexpected %r" % (value,))

    def parse_list(self):
        items = []
        if not self.accept("op", "]"):
            items.append(self.parse_or())
            while self.accept("op", ","):
                items.append(self.parse_or())
            self.expect("op", "]")
        return Node(lambda p, v: [item.evaluate_with(p, v) for item in items])

    def parse_name(self, name):
        if name in ("properties", "event"):
            self.expect("op", "[")
            key = self.expect("string")
            self.expect("op", "]")
            return Node(lambda p, v: p.get(key, UNDEFINED))
        if self.accept("op", "("):
            return self.parse_call(name)
        return Node(lambda p, v: v.get(name, UNDEFINED))

    def parse_arguments(self):
        arguments = []
        if not self.accept("op", ")"):
            arguments.append(self.parse_or())
            while self.accept("op", ","):
                arguments.append(self.parse_or())
            self.expect("op", ")")
        return arguments

    def parse_call(self, name):
        if name == "any":
            variable = self.expect("name")
            self.expect("op", ",")
            arguments = self.parse_arguments()
            if len(arguments) != 2:
                raise ParseError("any() takes a name, a list and a condition")
            return self.any_node(variable, *arguments)
        arguments = self.parse_arguments()
        functions = {"defined": (1, 1), "number": (1, 1), "boolean": (1, 1),
                     "string": (1, 2), "floor": (1, 1), "round": (1, 1),
                     "ceil": (1, 1)}
        if name not in functions:
            raise ParseError("unknown function %s()" % name)
        low, high = functions[name]
        if not low <= len(arguments) <= high:
            raise ParseError("wrong number of arguments to %s()" % name)
        return Node(lambda p, v: call(name, [a.evaluate_with(p, v)
                                             for a in arguments]))

    @staticmethod
    def any_node(variable, collection, condition):
        def evaluate(p, v):
            items = collection.evaluate_with(p, v)
            if not isinstance(items, list):
                return False
            return any(truthy(condition.evaluate_with(p, {**v, variable: x}))
                       for x in items)
        return Node(evaluate)


def call(name, values):
    value = values[0]
    if name == "defined":
        return value is not UNDEFINED and value is not None
    if name == "number":
        return to_number(value)
    if name == "boolean":
        return truthy(value)
    if name == "string":
        if isinstance(value, str):
            return value
        if len(values) == 2 and (value is UNDEFINED or isinstance(
                value, (list, dict)) or value is None):
            return values[1]
        if value is UNDEFINED:
            return UNDEFINED
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    number = to_number(value)
    if number is UNDEFINED:
        return UNDEFINED
    return {"floor": math.floor, "round": round, "ceil": math.ceil}[name](
        number)


def parse(text):
    """Parses a where expression; raises ParseError on invalid input."""
    return Parser(text).parse()
