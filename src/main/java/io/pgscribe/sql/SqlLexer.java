package io.pgscribe.sql;

/**
 * A push lexer that finds where SQL statements end, one character at a time, the way the
 * server's lexer and grammar do: a {@code ;} ends a statement only outside string literals,
 * quoted identifiers, dollar quotes, comments, parentheses and the {@code BEGIN ATOMIC ... END}
 * body of a SQL-standard function. It keeps no text, so a caller can feed it a stream of any size.
 *
 * <p>It follows PostgreSQL's {@code scan.l} where the two could disagree about what is code:
 * a {@code --} comment ends at {@code \n} or {@code \r}; a string is {@code E'...'} only when the
 * {@code E} starts a token; a {@code $} starts a dollar quote unless it continues an identifier;
 * with {@code standard_conforming_strings = off} a plain {@code '...'} takes backslash escapes
 * (and {@link #sawBackslashInPlainLiteral()} says its meaning would change with it on). Of
 * {@code BEGIN}, only {@code BEGIN ATOMIC} in a function definition opens a body (a function
 * may be named {@code begin}).
 */
public final class SqlLexer {

    private enum State {
        NORMAL, DASH, SLASH, LINE_COMMENT, BLOCK_COMMENT, BLOCK_STAR, BLOCK_SLASH,
        QUOTE, QUOTE_END, ESTRING, ESTRING_BACKSLASH, ESTRING_END, DQUOTE, DQUOTE_END,
        DOLLAR_TAG, DOLLAR_BODY
    }

    /** The kind of token the last code character belongs to. */
    private enum Token { NONE, IDENT, NUMBER, NUMBER_E, NUMBER_E_SIGN, OTHER }

    private final boolean standardConformingStrings;
    private State state = State.NORMAL;
    private Token token = Token.NONE;
    private int parenDepth;
    private int beginDepth;
    private int blockDepth;
    private boolean hasCode;
    private final StringBuilder word = new StringBuilder();
    private int wordCount;
    private final char[] leadWords = new char[4];
    private boolean afterBegin; // the word BEGIN just ended a word in a function definition
    private boolean uAmpersand; // "U&" just seen: a quote now opens a Unicode literal or identifier
    private char numberE; // the e or E a number ended with, while it may still turn out to be an identifier
    private char numberSign; // the sign after it, lexed again if no digit follows
    private final StringBuilder dollarTag = new StringBuilder();
    private String dollarDelimiter;
    private int dollarMatch;
    private boolean plainLiteral;
    private boolean backslashInPlainLiteral;

    /** A lexer for text written with {@code standard_conforming_strings = on}. */
    public SqlLexer() {
        this(true);
    }

    public SqlLexer(boolean standardConformingStrings) {
        this.standardConformingStrings = standardConformingStrings;
    }

    /** Forgets everything: the next character starts a new statement. */
    public void reset() {
        state = State.NORMAL;
        token = Token.NONE;
        parenDepth = beginDepth = blockDepth = 0;
        hasCode = false;
        word.setLength(0);
        wordCount = 0;
        leadWords[0] = leadWords[1] = leadWords[2] = leadWords[3] = 0;
        afterBegin = false;
        uAmpersand = false;
        numberE = 0;
        numberSign = 0;
        dollarTag.setLength(0);
        dollarDelimiter = null;
        dollarMatch = 0;
        plainLiteral = false;
        backslashInPlainLiteral = false;
    }

    /** Feeds one character; true when it is the {@code ;} that ends the statement. */
    public boolean feed(char ch) {
        switch (state) {
            case NORMAL:
                return normal(ch);
            case DASH:
                if (ch == '-') {
                    state = State.LINE_COMMENT;
                    return false;
                }
                state = State.NORMAL;
                operator();
                return normal(ch);
            case SLASH:
                if (ch == '*') {
                    state = State.BLOCK_COMMENT;
                    blockDepth = 1;
                    return false;
                }
                state = State.NORMAL;
                operator();
                return normal(ch);
            case LINE_COMMENT:
                if (ch == '\n' || ch == '\r') {
                    state = State.NORMAL;
                }
                return false;
            case BLOCK_COMMENT:
                if (ch == '*') {
                    state = State.BLOCK_STAR;
                } else if (ch == '/') {
                    state = State.BLOCK_SLASH;
                }
                return false;
            case BLOCK_STAR:
                if (ch == '/') {
                    state = --blockDepth == 0 ? State.NORMAL : State.BLOCK_COMMENT;
                } else if (ch != '*') {
                    state = State.BLOCK_COMMENT;
                }
                return false;
            case BLOCK_SLASH:
                if (ch == '*') {
                    blockDepth++;
                    state = State.BLOCK_COMMENT;
                } else if (ch != '/') {
                    state = State.BLOCK_COMMENT;
                }
                return false;
            case QUOTE:
                if (ch == '\'') {
                    state = State.QUOTE_END;
                }
                return false;
            case QUOTE_END:
                if (ch == '\'') {
                    state = State.QUOTE;
                    return false;
                }
                state = State.NORMAL;
                return normal(ch);
            case ESTRING:
                if (ch == '\\') {
                    backslashInPlainLiteral |= plainLiteral;
                    state = State.ESTRING_BACKSLASH;
                } else if (ch == '\'') {
                    state = State.ESTRING_END;
                }
                return false;
            case ESTRING_BACKSLASH:
                state = State.ESTRING;
                return false;
            case ESTRING_END:
                if (ch == '\'') {
                    state = State.ESTRING;
                    return false;
                }
                state = State.NORMAL;
                return normal(ch);
            case DQUOTE:
                if (ch == '"') {
                    state = State.DQUOTE_END;
                }
                return false;
            case DQUOTE_END:
                if (ch == '"') {
                    state = State.DQUOTE;
                    return false;
                }
                state = State.NORMAL;
                return normal(ch);
            case DOLLAR_TAG:
                if (ch == '$') {
                    dollarDelimiter = "$" + dollarTag + "$";
                    dollarMatch = 0;
                    state = State.DOLLAR_BODY;
                    return false;
                }
                if (dollarTag.length() == 0 ? isIdentifierStart(ch) : isTagPart(ch)) {
                    dollarTag.append(ch);
                    return false;
                }
                // "$1" or "$abc" with no closing '$': the '$' alone, then what followed it is lexed as usual
                state = State.NORMAL;
                token = Token.OTHER;
                if (dollarTag.length() > 0) {
                    token = Token.IDENT;
                    word.setLength(0);
                    word.append(dollarTag);
                }
                return normal(ch);
            case DOLLAR_BODY:
                if (ch == dollarDelimiter.charAt(dollarMatch)) {
                    if (++dollarMatch == dollarDelimiter.length()) {
                        state = State.NORMAL;
                        token = Token.OTHER;
                    }
                } else {
                    // a tag never contains '$', so a mismatch restarts at most at this '$'
                    dollarMatch = ch == '$' ? 1 : 0;
                }
                return false;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    /** True when everything fed so far is white space and comments, or ends a statement cleanly. */
    public boolean isAtTopLevel() {
        return (isInCode() || state == State.LINE_COMMENT) && parenDepth == 0 && beginDepth == 0;
    }

    /** True outside every literal, identifier, comment, parenthesis and body: the text so far is closed. */
    public boolean isClosed() {
        return isInCode() && parenDepth == 0 && beginDepth == 0;
    }

    /**
     * Outside literals and comments: also just after a closing quote (a second one would make it
     * a quote inside), or after a '-', '/' or '$' that the next character may make something else.
     */
    private boolean isInCode() {
        return switch (state) {
            case NORMAL, QUOTE_END, ESTRING_END, DQUOTE_END, DASH, SLASH, DOLLAR_TAG -> true;
            default -> false;
        };
    }

    /** Whether the statement so far holds anything but white space and comments. */
    public boolean hasCode() {
        return hasCode || state == State.DASH || state == State.SLASH;
    }

    /** Whether the lexer is inside a literal, quoted identifier, comment or body right now. */
    public boolean isInsideLiteralOrComment() {
        return state != State.NORMAL && state != State.DASH && state != State.SLASH;
    }

    /** Inside a {@code --} comment, which the next line end ends. */
    public boolean isInLineComment() {
        return state == State.LINE_COMMENT;
    }

    /**
     * Since the last reset, a plain {@code '...'} literal (not {@code E''}, {@code U&''},
     * {@code B''}, {@code X''}) held a backslash: read with the other standard_conforming_strings
     * it would mean something else, or end elsewhere.
     */
    public boolean sawBackslashInPlainLiteral() {
        return backslashInPlainLiteral;
    }

    private boolean normal(char ch) {
        if (token == Token.NUMBER_E || token == Token.NUMBER_E_SIGN) {
            if (ch >= '0' && ch <= '9') {
                token = Token.NUMBER; // an exponent after all
                return false;
            }
            if (token == Token.NUMBER_E && (ch == '+' || ch == '-')) {
                token = Token.NUMBER_E_SIGN; // decided by the next character
                numberSign = ch;
                return false;
            }
            // as the server's lexer does (up to 14; later ones refuse it): the number ended before
            // the e, which starts an identifier; a sign after it is lexed again on its own
            boolean signed = token == Token.NUMBER_E_SIGN;
            token = Token.IDENT;
            word.setLength(0);
            word.append(numberE);
            if (signed) {
                normal(numberSign);
                return feed(ch);
            }
        }
        boolean identPart = isIdentifierStart(ch) || (ch >= '0' && ch <= '9') || ch == '$';
        String justEnded = null;
        if (token == Token.IDENT && !identPart) {
            justEnded = word.toString();
            endWord();
            token = Token.NONE;
        }
        boolean unicodePrefix = uAmpersand;
        uAmpersand = false;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\u000b') {
            token = Token.NONE;
            return false;
        }
        switch (ch) {
            case '-':
                state = State.DASH;
                return false;
            case '/':
                state = State.SLASH;
                return false;
            case '\'':
                startString(justEnded, unicodePrefix);
                return false;
            case '"':
                literalStart();
                state = State.DQUOTE;
                return false;
            case '$':
                if (token == Token.IDENT) {
                    word.append(ch);
                    return false;
                }
                literalStart();
                dollarTag.setLength(0);
                state = State.DOLLAR_TAG;
                return false;
            case '&':
                uAmpersand = justEnded != null && justEnded.equalsIgnoreCase("u");
                operator();
                return false;
            case '(':
                parenDepth++;
                operator();
                return false;
            case ')':
                if (parenDepth > 0) {
                    parenDepth--;
                }
                operator();
                return false;
            case ';':
                operator();
                return parenDepth == 0 && beginDepth == 0;
            default:
                hasCode = true;
                if (token == Token.IDENT) {
                    word.append(ch);
                } else if (token == Token.NUMBER && (ch == 'e' || ch == 'E')) {
                    token = Token.NUMBER_E;
                    numberE = ch;
                } else if (token == Token.NUMBER && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '_')) {
                    return false; // still the number
                } else if (isIdentifierStart(ch)) {
                    token = Token.IDENT; // a word; after BEGIN it may be ATOMIC
                    word.setLength(0);
                    word.append(ch);
                } else if (ch >= '0' && ch <= '9') {
                    token = Token.NUMBER;
                    afterBegin = false;
                } else {
                    operator();
                }
                return false;
        }
    }

    /** A quote in code: which kind of literal it opens depends on the token right before it. */
    private void startString(String prefixWord, boolean unicodePrefix) {
        char prefix = prefixWord != null && prefixWord.length() == 1 ? Character.toLowerCase(prefixWord.charAt(0)) : 0;
        literalStart();
        if (prefix == 'e') {
            plainLiteral = false;
            state = State.ESTRING;
        } else if (unicodePrefix || prefix == 'b' || prefix == 'x' || standardConformingStrings) {
            plainLiteral = false;
            state = State.QUOTE;
        } else {
            plainLiteral = true; // with standard_conforming_strings = off a plain literal takes backslash escapes
            state = State.ESTRING;
        }
    }

    private void literalStart() {
        hasCode = true;
        token = Token.OTHER;
        afterBegin = false;
    }

    private void operator() {
        if (token == Token.IDENT) {
            endWord();
        }
        token = Token.OTHER;
        hasCode = true;
        afterBegin = false;
    }

    /**
     * The statement's leading words say whether it defines a function (CREATE [OR REPLACE]
     * FUNCTION|PROCEDURE), whose {@code BEGIN ATOMIC} body runs to its matching END; CASE ... END
     * nests inside it.
     */
    private void endWord() {
        if (word.length() == 0) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        if (wordCount < leadWords.length && (w.equalsIgnoreCase("create") || w.equalsIgnoreCase("function")
                || w.equalsIgnoreCase("procedure") || w.equalsIgnoreCase("or") || w.equalsIgnoreCase("replace"))) {
            leadWords[wordCount] = Character.toLowerCase(w.charAt(0));
        }
        wordCount++;
        boolean functionDefinition = leadWords[0] == 'c' && (leadWords[1] == 'f' || leadWords[1] == 'p'
                || (leadWords[1] == 'o' && leadWords[2] == 'r' && (leadWords[3] == 'f' || leadWords[3] == 'p')));
        boolean begin = afterBegin;
        afterBegin = false;
        if (!functionDefinition || parenDepth != 0) {
            return;
        }
        if (begin && w.equalsIgnoreCase("atomic")) {
            beginDepth++;
        } else if (w.equalsIgnoreCase("begin") && beginDepth == 0) {
            afterBegin = true;
        } else if (w.equalsIgnoreCase("case") && beginDepth > 0) {
            beginDepth++;
        } else if (w.equalsIgnoreCase("end") && beginDepth > 0) {
            beginDepth--;
        }
    }

    private static boolean isIdentifierStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
    }

    private static boolean isTagPart(char ch) {
        return isIdentifierStart(ch) || (ch >= '0' && ch <= '9');
    }
}
