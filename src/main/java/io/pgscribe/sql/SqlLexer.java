package io.pgscribe.sql;

/**
 * A push lexer that finds where SQL statements end, one character at a time, the way
 * psql does: a {@code ;} ends a statement only outside string literals ({@code '...'},
 * {@code E'...'}), quoted identifiers, dollar quotes, comments, parentheses and the
 * {@code BEGIN ... END} body of a SQL-standard function. It keeps no text, so a caller
 * can feed it a stream of any size. Assumes standard_conforming_strings = on.
 */
public final class SqlLexer {

    private enum State {
        NORMAL, DASH, SLASH, LINE_COMMENT, BLOCK_COMMENT, BLOCK_STAR, BLOCK_SLASH,
        QUOTE, QUOTE_END, ESTRING, ESTRING_BACKSLASH, ESTRING_END, DQUOTE, DQUOTE_END,
        DOLLAR_TAG, DOLLAR_BODY
    }

    private State state = State.NORMAL;
    private int parenDepth;
    private int beginDepth;
    private int blockDepth;
    private boolean hasCode;
    // the last two characters of code, for E'...' and identifier adjacency
    private char prev1 = ' ';
    private char prev2 = ' ';
    private final StringBuilder word = new StringBuilder();
    private boolean inWord;
    private int wordCount;
    private final char[] leadWords = new char[4];
    private final StringBuilder dollarTag = new StringBuilder();
    private String dollarDelimiter;
    private int dollarMatch;

    /** Forgets everything: the next character starts a new statement. */
    public void reset() {
        state = State.NORMAL;
        parenDepth = beginDepth = blockDepth = 0;
        hasCode = false;
        prev1 = prev2 = ' ';
        word.setLength(0);
        inWord = false;
        wordCount = 0;
        leadWords[0] = leadWords[1] = leadWords[2] = leadWords[3] = 0;
        dollarTag.setLength(0);
        dollarDelimiter = null;
        dollarMatch = 0;
    }

    /** Feeds one character; true when it is the {@code ;} that ends the statement. */
    public boolean feed(char ch) {
        switch (state) {
            case NORMAL:
                return normal(ch);
            case DASH:
                if (ch == '-') {
                    endWord();
                    state = State.LINE_COMMENT;
                    return false;
                }
                state = State.NORMAL;
                code('-');
                return normal(ch);
            case SLASH:
                if (ch == '*') {
                    endWord();
                    state = State.BLOCK_COMMENT;
                    blockDepth = 1;
                    return false;
                }
                state = State.NORMAL;
                code('/');
                return normal(ch);
            case LINE_COMMENT:
                if (ch == '\n') {
                    state = State.NORMAL;
                    prev2 = prev1;
                    prev1 = ' ';
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
                    if (--blockDepth == 0) {
                        state = State.NORMAL;
                        prev2 = prev1;
                        prev1 = ' ';
                    } else {
                        state = State.BLOCK_COMMENT;
                    }
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
                // "$1" or "$abc" with no closing '$': not a dollar quote
                state = State.NORMAL;
                prev2 = ' ';
                prev1 = dollarTag.length() == 0 ? '$' : dollarTag.charAt(dollarTag.length() - 1);
                return normal(ch);
            case DOLLAR_BODY:
                if (ch == dollarDelimiter.charAt(dollarMatch)) {
                    if (++dollarMatch == dollarDelimiter.length()) {
                        state = State.NORMAL;
                        prev2 = ' ';
                        prev1 = '$';
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
        return (state == State.NORMAL || state == State.LINE_COMMENT) && parenDepth == 0 && beginDepth == 0;
    }

    /** Whether the statement so far holds anything but white space and comments. */
    public boolean hasCode() {
        return hasCode || state == State.DASH || state == State.SLASH;
    }

    /** Whether the lexer is inside a literal, quoted identifier, comment or body right now. */
    public boolean isInsideLiteralOrComment() {
        return state != State.NORMAL && state != State.DASH && state != State.SLASH;
    }

    /** Inside a {@code --} comment, which the next newline ends. */
    public boolean isInLineComment() {
        return state == State.LINE_COMMENT;
    }

    private boolean normal(char ch) {
        if (inWord && !isIdentifierPart(ch)) {
            endWord();
        }
        if (Character.isWhitespace(ch)) {
            prev2 = prev1;
            prev1 = ch;
            return false;
        }
        switch (ch) {
            case '-':
                state = State.DASH;
                return false;
            case '/':
                state = State.SLASH;
                return false;
            case '\'': {
                boolean escape = (prev1 == 'E' || prev1 == 'e') && !isIdentifierPart(prev2);
                code(ch);
                state = escape ? State.ESTRING : State.QUOTE;
                return false;
            }
            case '"':
                code(ch);
                state = State.DQUOTE;
                return false;
            case '$':
                if (inWord) {
                    word.append(ch);
                    code(ch);
                    return false;
                }
                if (!isIdentifierPart(prev1)) {
                    code(ch);
                    dollarTag.setLength(0);
                    state = State.DOLLAR_TAG;
                    return false;
                }
                code(ch);
                return false;
            case '(':
                parenDepth++;
                code(ch);
                return false;
            case ')':
                if (parenDepth > 0) {
                    parenDepth--;
                }
                code(ch);
                return false;
            case ';':
                code(ch);
                return parenDepth == 0 && beginDepth == 0;
            default:
                if (inWord) {
                    word.append(ch);
                } else if (isIdentifierStart(ch) && !isIdentifierPart(prev1)) {
                    inWord = true;
                    word.setLength(0);
                    word.append(ch);
                }
                code(ch);
                return false;
        }
    }

    private void code(char ch) {
        hasCode = true;
        prev2 = prev1;
        prev1 = ch;
    }

    /** psql's heuristic: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN/CASE ... END nest. */
    private void endWord() {
        if (!inWord) {
            return;
        }
        inWord = false;
        String w = word.toString();
        if (wordCount < leadWords.length && (w.equalsIgnoreCase("create") || w.equalsIgnoreCase("function")
                || w.equalsIgnoreCase("procedure") || w.equalsIgnoreCase("or") || w.equalsIgnoreCase("replace"))) {
            leadWords[wordCount] = Character.toLowerCase(w.charAt(0));
        }
        wordCount++;
        boolean functionDefinition = leadWords[0] == 'c' && (leadWords[1] == 'f' || leadWords[1] == 'p'
                || (leadWords[1] == 'o' && leadWords[2] == 'r' && (leadWords[3] == 'f' || leadWords[3] == 'p')));
        if (functionDefinition && parenDepth == 0) {
            if (w.equalsIgnoreCase("begin")) {
                beginDepth++;
            } else if (w.equalsIgnoreCase("case") && beginDepth > 0) {
                beginDepth++;
            } else if (w.equalsIgnoreCase("end") && beginDepth > 0) {
                beginDepth--;
            }
        }
    }

    private static boolean isIdentifierStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
    }

    private static boolean isTagPart(char ch) {
        return isIdentifierStart(ch) || (ch >= '0' && ch <= '9');
    }

    private static boolean isIdentifierPart(char ch) {
        return isTagPart(ch) || ch == '$';
    }
}
