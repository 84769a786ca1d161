// A small JSON reader for the tests (the reports cross as JSON text and the JDK has no parser):
// objects as Map<String, Any?>, arrays as List<Any?>, numbers as Double.
package intune.apple.test

internal fun parseJson(text: String): Any? {
    val p = JsonReader(text)
    val v = p.value()
    p.space()
    if (p.i != text.length) throw IllegalArgumentException("trailing text at ${p.i}")
    return v
}

@Suppress("UNCHECKED_CAST")
internal fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
internal fun Any?.arr(): List<Any?> = this as List<Any?>

internal operator fun Any?.get(key: String): Any? = this.obj()[key]

/// A JSON string literal of `s`.
internal fun jsonString(s: String): String = buildString {
    append('"')
    for (c in s) {
        when {
            c == '"' -> append("\\\"")
            c == '\\' -> append("\\\\")
            c < ' ' -> append("\\u%04x".format(c.code))
            else -> append(c)
        }
    }
    append('"')
}

private class JsonReader(val s: String) {
    var i = 0

    fun space() {
        while (i < s.length && s[i].isWhitespace()) i++
    }

    fun value(): Any? {
        space()
        if (i >= s.length) throw IllegalArgumentException("unexpected end")
        return when (s[i]) {
            '{' -> obj()
            '[' -> arr()
            '"' -> str()
            't' -> word("true", true)
            'f' -> word("false", false)
            'n' -> word("null", null)
            else -> num()
        }
    }

    fun word(w: String, v: Any?): Any? {
        if (!s.startsWith(w, i)) throw IllegalArgumentException("bad literal at $i")
        i += w.length
        return v
    }

    fun num(): Double {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        return s.substring(start, i).toDouble()
    }

    fun str(): String {
        val out = StringBuilder()
        i++ // opening quote
        while (s[i] != '"') {
            if (s[i] == '\\') {
                i++
                when (s[i]) {
                    'n' -> out.append('\n')
                    't' -> out.append('\t')
                    'r' -> out.append('\r')
                    'b' -> out.append('\b')
                    'f' -> out.append('\u000c')
                    'u' -> {
                        out.append(s.substring(i + 1, i + 5).toInt(16).toChar())
                        i += 4
                    }
                    else -> out.append(s[i])
                }
            } else {
                out.append(s[i])
            }
            i++
        }
        i++
        return out.toString()
    }

    fun arr(): List<Any?> {
        val out = mutableListOf<Any?>()
        i++
        space()
        if (s[i] == ']') { i++; return out }
        while (true) {
            out.add(value())
            space()
            if (s[i++] == ']') return out
        }
    }

    fun obj(): Map<String, Any?> {
        val out = LinkedHashMap<String, Any?>()
        i++
        space()
        if (s[i] == '}') { i++; return out }
        while (true) {
            space()
            val k = str()
            space()
            i++ // colon
            out[k] = value()
            space()
            if (s[i++] == '}') return out
        }
    }
}
