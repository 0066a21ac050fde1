#include "input_source.h"

#include "gzip_reader.h"
#include "hsi/printable.h"
#include "hsi/report.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hsi::detail {

namespace {

constexpr std::int64_t kMinChunkBytes = 32LL << 20;
constexpr std::size_t kSniffBytes = 64 << 10;
/// The maximum blank text at the start of a gzip file whose layout is still
/// detected. It bounds the work of a file that is blank text all through.
constexpr std::int64_t kMaxSniffedText = 256LL << 20;

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Explains a file that starts with the signature of a compression format
/// other than gzip, or with a UTF-16 byte order mark, or returns nothing.
/// Read line by line, such a file would give one "binary data" error per
/// line and no hint of the cause.
std::optional<std::string> unsupportedFormatError(std::string_view head)
{
    struct Signature {
        std::string_view bytes;
        const char *format;
        const char *fix;
    };
    static constexpr Signature kSignatures[] = {
        {"BZh", "bzip2", "decompress it (bunzip2 -k FILE)"},
        {std::string_view("\xFD"
                          "7zXZ\0",
                          6),
         "xz", "decompress it (unxz -k FILE)"},
        {"\x28\xB5\x2F\xFD", "zstd", "decompress it (unzstd FILE)"},
        {"PK\x03\x04", "zip", "extract it (unzip FILE)"},
        {"7z\xBC\xAF\x27\x1C", "7z", "extract it (7z x FILE)"},
    };
    for (const Signature &signature : kSignatures) {
        // bzip2 gives the block size as a digit after its three letters.
        const bool isBzip2 = signature.bytes == "BZh";
        if (isBzip2 && (head.size() < 4 || head[3] < '1' || head[3] > '9'))
            continue;
        if (head.starts_with(signature.bytes))
            return std::string("the file is compressed with ") +
                   signature.format +
                   ", which hotshard does not read: " + signature.fix +
                   " or compress it with gzip instead" + kThenTryAgain;
    }
    if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF"))
        return std::string("the file is UTF-16 text, but exports are UTF-8: "
                           "convert it (iconv -f UTF-16 -t UTF-8 FILE > "
                           "NEW.json)") +
               kThenTryAgain + " with NEW.json";
    return std::nullopt;
}

/// Finds the record layout of a file from the first character of its text
/// that is neither blank nor part of a UTF-8 byte order mark. A mark can
/// follow blank text where files were joined with cat.
class LayoutSniffer {
public:
    /// Reads the next piece of text. Returns true once the layout is known.
    bool feed(const char *data, std::size_t size)
    {
        for (std::size_t i = 0; i < size && !m_layout; ++i)
            step(static_cast<unsigned char>(data[i]));
        return m_layout.has_value();
    }

    bool found() const { return m_layout.has_value(); }
    /// The layout found, or lines when all the text read was blank.
    RecordLayout layout() const
    {
        return m_layout.value_or(RecordLayout::Lines);
    }

private:
    void step(unsigned char byte)
    {
        static constexpr unsigned char kByteOrderMark[] = {0xEF, 0xBB, 0xBF};
        if (byte == kByteOrderMark[m_markBytes]) {
            m_markBytes = (m_markBytes + 1) % 3;
            return;
        }
        if (m_markBytes == 0 && isBlank(static_cast<char>(byte)))
            return;
        // A mark cut short is a character that is not '[' too.
        m_layout = m_markBytes == 0 && byte == '[' ? RecordLayout::JsonArray
                                                   : RecordLayout::Lines;
    }

    /// The bytes of a byte order mark read so far.
    std::size_t m_markBytes = 0;
    std::optional<RecordLayout> m_layout;
};

/// Inflates the start of a gzip file, across empty members and blank text,
/// until its layout shows. Returns false when the first kMaxSniffedText
/// bytes of text are all blank. A stream that fails first gets the layout
/// of the text before the failure, and the reader reports the failure.
bool sniffGzipLayout(int fd, RecordLayout &layout)
{
    GzipInflater inflater(fd);
    LayoutSniffer sniffer;
    TextBlock text;
    std::int64_t inflated = 0;
    while (inflated < kMaxSniffedText && inflater.nextText(text, kSniffBytes)) {
        inflated += static_cast<std::int64_t>(text.size);
        if (sniffer.feed(text.buffer.data(), text.size))
            break;
    }
    layout = sniffer.layout();
    return sniffer.found() || inflater.ended();
}

class FileDescriptor {
public:
    explicit FileDescriptor(const std::string &path)
        : m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))
    {
    }
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

/// A read-only memory map of a whole file.
class MappedFile {
public:
    MappedFile(const std::string &path, std::string &error)
    {
        FileDescriptor fd(path);
        struct stat info {};
        if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0) {
            error = std::strerror(errno);
            return;
        }
        m_size = static_cast<std::size_t>(info.st_size);
        if (m_size == 0)
            return;
        void *address =
            ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (address == MAP_FAILED) {
            error = std::strerror(errno);
            m_size = 0;
            return;
        }
        m_data = static_cast<const char *>(address);
        ::madvise(address, m_size, MADV_SEQUENTIAL);
    }
    ~MappedFile()
    {
        if (m_data)
            ::munmap(const_cast<char *>(m_data), m_size);
    }
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const char *data() const { return m_data; }
    std::size_t size() const { return m_size; }

    /// Drops the pages of [begin, end) from this process; the page cache
    /// keeps them. Without this a scan of a large file shows the whole file
    /// in its resident memory.
    void release(std::int64_t begin, std::int64_t end) const
    {
        const std::int64_t page = ::sysconf(_SC_PAGESIZE);
        const std::int64_t first = (begin + page - 1) / page * page;
        const std::int64_t last = end / page * page;
        if (m_data && last > first)
            ::madvise(const_cast<char *>(m_data) + first, last - first,
                      MADV_DONTNEED);
    }

private:
    const char *m_data = nullptr;
    std::size_t m_size = 0;
};

/// Splits text into lines and passes each non-blank one to the sink. Lines
/// that end too close to the end of readable memory are copied into a padded
/// scratch buffer first.
class LineSplitter {
public:
    explicit LineSplitter(const RecordSink &sink) : m_sink(sink) {}

    /// Feeds whole lines; the last one may lack its '\n' only at the end of
    /// the input. Bytes up to `readableEnd` may be read past each line.
    /// Returns false when cancelled.
    bool feed(const char *data, std::size_t size, const char *readableEnd,
              const std::atomic<bool> *cancel, std::int64_t &records)
    {
        // Empty input, such as the unit that closes a gzip file, has nothing
        // for a cancel to cut short.
        if (size > 0 && cancel && *cancel)
            return false;
        const char *pos = data;
        const char *end = data + size;
        while (pos < end) {
            const char *newline =
                static_cast<const char *>(std::memchr(pos, '\n', end - pos));
            const char *lineEnd = newline ? newline : end;
            ++m_lines;
            emit(pos, lineEnd, readableEnd, records);
            pos = lineEnd + 1;
            if ((m_lines & 0xffff) == 0 && cancel && *cancel)
                return false;
        }
        return true;
    }

    /// Feeds only the lines that contain a needle of `filter`, without
    /// counting lines. Returns false when cancelled.
    bool feedMatching(const char *data, std::size_t size,
                      const char *readableEnd, const TextSearch &filter,
                      const std::atomic<bool> *cancel, std::int64_t &records)
    {
        const char *pos = data;
        const char *end = data + size;
        while (pos < end) {
            if (cancel && *cancel)
                return false;
            const std::size_t found =
                filter.find(std::string_view(pos, end - pos));
            if (found == std::string_view::npos)
                break;
            // The evidence pass searches for ids and escapes, which contain no
            // '\n', so each match lies inside one line.
            const char *match = pos + found;
            const void *before = memrchr(pos, '\n', match - pos);
            const char *lineStart =
                before ? static_cast<const char *>(before) + 1 : pos;
            const void *after = std::memchr(match, '\n', end - match);
            const char *lineEnd =
                after ? static_cast<const char *>(after) : end;
            emit(lineStart, lineEnd, readableEnd, records);
            pos = lineEnd + 1;
        }
        return true;
    }

    std::int64_t lines() const { return m_lines; }

private:
    void emit(const char *begin, const char *end, const char *readableEnd,
              std::int64_t &records)
    {
        if (end > begin && end[-1] == '\r')
            --end;
        // Some editors start a file with a byte order mark, and files joined
        // with cat keep it on later lines. It is never part of the record.
        if (end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0)
            begin += 3;
        const char *first = begin;
        while (first < end && isBlank(*first))
            ++first;
        if (first == end)
            return;
        ++records;
        const std::size_t length = end - begin;
        if (end + kRecordPadding <= readableEnd) {
            m_sink(std::string_view(begin, length), m_lines);
            return;
        }
        m_scratch.assign(begin, end);
        m_scratch.resize(length + kRecordPadding, ' ');
        m_sink(std::string_view(m_scratch.data(), length), m_lines);
    }

    const RecordSink &m_sink;
    std::string m_scratch;
    std::int64_t m_lines = 0;
};

/// Extracts the elements of top-level JSON arrays from a byte stream,
/// tracking strings and nesting so that brackets inside strings are ignored.
/// Arrays may follow one another, as in exports joined with `cat`.
///
/// An element that leaves a bracket or a string open must not swallow the
/// elements after it, so the splitter recovers from three faults, each of
/// which makes the element invalid JSON. The element is then passed on as
/// it is, and the scan reports it with its line:
/// - a closing bracket of the other kind closes the innermost open one;
/// - a '{' where an object needs a key starts the next element, because an
///   element that lacks its last '}' is followed by ",{";
/// - a line break inside a string, which JSON forbids, ends the element.
///   Reading resumes at the next line that starts with '{', '}' or ']' no
///   further right than the broken element started, which is where
///   elements start and end whether the array has one per line or is
///   indented.
///
/// NOTE: in an array written on one line, no line break ends a string
/// left open. The string then runs to the end of the file, and the
/// elements after it are lost with an error that the array is not closed.
///
/// NOTE: an element's line number is the line where it starts, so in an
/// array on one line every element is line 1. Problems and crossings there
/// cannot point at one element.
class ArraySplitter {
public:
    explicit ArraySplitter(const RecordSink &sink) : m_sink(sink) {}

    void feed(const char *data, std::size_t size, std::int64_t &records)
    {
        for (std::size_t i = 0; i < size && m_error.empty(); ++i)
            step(data[i], records);
    }

    /// Returns an error message when the array is not properly closed.
    std::string finish()
    {
        if (m_state == State::TrailingText)
            failTrailing();
        // The last element lacked its closing brace, and the array's ']'
        // closed it.
        if (m_state == State::AfterElement && m_closedByArrayBracket)
            m_state = State::AfterArray;
        if (!m_error.empty())
            return m_error;
        if (m_state != State::AfterArray)
            return "the JSON array is not closed: the file is truncated, or "
                   "an element opens more brackets than it closes";
        return {};
    }

    /// The lines read, a last one without a '\n' included, or up to the one
    /// with the error after an error.
    std::int64_t lines() const
    {
        return m_error.empty() && m_column > 0 ? m_line + 1 : m_line;
    }

    /// Commas missing or out of place, which JSON forbids but which leave
    /// every element readable: the first of each kind, with its count.
    std::vector<ReadWarning> takeWarnings()
    {
        std::vector<ReadWarning> warnings;
        for (CommaFault &fault : m_faults) {
            if (fault.count == 0)
                continue;
            std::string message = fault.message;
            if (fault.count > 1)
                message += " (" + std::to_string(fault.count) +
                           " times in this file; this is the first)";
            warnings.push_back({fault.firstLine, std::move(message)});
        }
        return warnings;
    }

private:
    /// The splitter's position: before the array, after its '[', after an
    /// element, after a comma, inside an element, after the array, or in
    /// text after the array, which it quotes in its error.
    enum class State {
        BeforeArray,
        AfterOpen,
        AfterElement,
        AfterComma,
        InElement,
        AfterArray,
        TrailingText,
        /// Skipping the rest of an element broken by a line break inside
        /// one of its strings.
        Resync
    };

    /// The maximum number of bytes of text after the array that the error
    /// quotes.
    static constexpr std::size_t kQuotedBytes = 40;

    // Reads a byte of the text after the array, up to the end of its line.
    // One byte past the quoted ones shows where a character ends.
    void trailingByte(char c)
    {
        if (c == '\n' || m_trailing.size() > kQuotedBytes)
            failTrailing();
        else
            m_trailing.push_back(c);
    }

    void failTrailing()
    {
        m_line = m_trailingLine;
        // Appended piece by piece: a chain of + trips a false -Wrestrict
        // warning in GCC 12.
        m_error = "text after the end of the JSON array: \"";
        m_error += utf8Prefix(m_trailing, kQuotedBytes);
        m_error += "\"; the rest of the file was not read: remove the text, "
                   "or save it as a file of its own, and scan again";
    }

    /// A kind of comma fault and where it first occurred.
    struct CommaFault {
        const char *message;
        std::int64_t firstLine = 0;
        std::int64_t count = 0;
    };
    enum Fault { MissingComma, ExtraComma, TrailingComma, kFaultKinds };

    void noteFault(Fault fault, std::int64_t line)
    {
        CommaFault &kind = m_faults[fault];
        if (kind.count++ == 0)
            kind.firstLine = line;
    }

    // The byte that causes an error is on line m_line + 1, since a newline
    // is never one. Counting that line makes lines() name it.
    void fail(std::string message)
    {
        ++m_line;
        m_error = std::move(message);
    }

    void step(char c, std::int64_t &records)
    {
        m_byteColumn = m_column;
        if (c == '\n') {
            ++m_line;
            m_column = 0;
        } else {
            ++m_column;
        }
        switch (m_state) {
        case State::BeforeArray:
            if (c == '[')
                m_state = State::AfterOpen;
            else if (!isBlank(c) && !isByteOrderMark(c))
                fail("expected '[' at the start of the JSON array");
            return;
        case State::AfterOpen:
        case State::AfterElement:
        case State::AfterComma:
            betweenElements(c, records);
            return;
        case State::InElement:
            elementByte(c, records);
            return;
        case State::AfterArray:
            // Files joined with cat may bring their byte order marks along.
            if (c == '[') {
                m_state = State::AfterOpen;
            } else if (!isBlank(c) && !isByteOrderMark(c)) {
                m_state = State::TrailingText;
                m_trailing.assign(1, c);
                m_trailingLine = m_line + 1;
            }
            return;
        case State::TrailingText:
            trailingByte(c);
            return;
        case State::Resync:
            resyncByte(c, records);
            return;
        }
    }

    // Reads a byte outside the elements. A comma fault is noted and
    // reading goes on, since the elements themselves are whole.
    void betweenElements(char c, std::int64_t &records)
    {
        if (isBlank(c))
            return;
        m_closedByArrayBracket = false;
        if (c == ',') {
            if (m_state != State::AfterElement)
                noteFault(ExtraComma, m_line + 1);
            m_state = State::AfterComma;
            m_commaLine = m_line + 1;
        } else if (c == ']') {
            // The comma is the fault, and it can be lines before the ']'.
            if (m_state == State::AfterComma)
                noteFault(TrailingComma, m_commaLine);
            m_state = State::AfterArray;
        } else if (c == '}') {
            // A closing brace too many after an element. Passed on as an
            // element of its own, it is reported with its line, and the
            // elements after it are still read.
            startElement();
            m_element.push_back(c);
            emit(records);
            m_state = State::AfterElement;
        } else {
            if (m_state == State::AfterElement)
                noteFault(MissingComma, m_line + 1);
            startElement();
            elementByte(c, records);
        }
    }

    static bool isByteOrderMark(char c)
    {
        const auto byte = static_cast<unsigned char>(c);
        return byte == 0xEF || byte == 0xBB || byte == 0xBF;
    }

    void startElement()
    {
        m_state = State::InElement;
        m_element.clear();
        m_openBrackets.clear();
        m_inString = false;
        m_escaped = false;
        m_expectKey = false;
        m_elementLine = m_line + 1;
        m_elementColumn = m_byteColumn;
    }

    void elementByte(char c, std::int64_t &records)
    {
        if (m_inString) {
            stringByte(c, records);
            return;
        }
        if (m_openBrackets.empty() && (c == ',' || c == ']')) {
            // A scalar element ends at the next separator.
            emit(records);
            m_state = c == ']' ? State::AfterArray : State::AfterComma;
            m_commaLine = m_line + 1;
            return;
        }
        if (c == '{' && m_expectKey) {
            emitUnclosed(records);
            startElement();
        }
        m_element.push_back(c);
        if (isBlank(c))
            return;
        m_expectKey = false;
        if (c == '"') {
            m_inString = true;
        } else if (c == '{' || c == '[') {
            m_openBrackets.push_back(c);
            m_expectKey = c == '{';
        } else if (c == '}' || c == ']') {
            closeBracket(c, records);
        } else if (c == ',') {
            m_expectKey = m_openBrackets.back() == '{';
        }
    }

    void stringByte(char c, std::int64_t &records)
    {
        if (c == '\n') {
            emit(records);
            m_state = State::Resync;
            m_atLineStart = true;
            return;
        }
        m_element.push_back(c);
        if (m_escaped)
            m_escaped = false;
        else if (c == '\\')
            m_escaped = true;
        else if (c == '"')
            m_inString = false;
    }

    // Closes the innermost open bracket, whichever its kind, as a typo of
    // one kind for the other would have meant. A ']' that closes an object
    // may instead be the array's end after an element that lacks its last
    // '}'. Which of the two it was shows once the input ends.
    void closeBracket(char c, std::int64_t &records)
    {
        if (m_openBrackets.empty())
            return;
        const bool sameKind = m_openBrackets.back() == (c == '}' ? '{' : '[');
        m_openBrackets.pop_back();
        if (!m_openBrackets.empty())
            return;
        emit(records);
        m_state = State::AfterElement;
        m_closedByArrayBracket = !sameKind && c == ']';
    }

    // Passes on the element before a '{' found where a key must be:
    // the text up to the comma or brace before it.
    void emitUnclosed(std::int64_t &records)
    {
        while (!m_element.empty() && isBlank(m_element.back()))
            m_element.pop_back();
        if (!m_element.empty() && m_element.back() == ',')
            m_element.pop_back();
        emit(records);
    }

    // Skips the lines of an element broken inside a string, up to the
    // first line that starts an element, ends one or ends the array.
    void resyncByte(char c, std::int64_t &records)
    {
        if (c == '\n') {
            m_atLineStart = true;
            return;
        }
        if (!m_atLineStart || isBlank(c))
            return;
        m_atLineStart = false;
        if (m_byteColumn > m_elementColumn)
            return;
        if (c == '{') {
            startElement();
            elementByte(c, records);
        } else if (c == '}') {
            m_state = State::AfterElement;
        } else if (c == ']') {
            m_state = State::AfterArray;
        }
    }

    void emit(std::int64_t &records)
    {
        while (!m_element.empty() && isBlank(m_element.back()))
            m_element.pop_back();
        const std::size_t length = m_element.size();
        ++records;
        m_element.resize(length + kRecordPadding, ' ');
        m_sink(std::string_view(m_element.data(), length), m_elementLine);
        m_element.clear();
    }

    const RecordSink &m_sink;
    State m_state = State::BeforeArray;
    std::string m_element;
    std::string m_error;
    std::int64_t m_line = 0;
    std::int64_t m_elementLine = 0;
    /// The column of the byte being read, and of the current element's
    /// first byte, both counted from 0.
    std::int64_t m_column = 0;
    std::int64_t m_byteColumn = 0;
    std::int64_t m_elementColumn = 0;
    /// The brackets open in the current element, innermost last.
    std::string m_openBrackets;
    bool m_inString = false;
    bool m_escaped = false;
    /// Whether the element is in an object where the next token must be a
    /// key or '}'.
    bool m_expectKey = false;
    bool m_atLineStart = false;
    /// Whether the last element was closed by a ']' that closed an object.
    bool m_closedByArrayBracket = false;
    std::string m_trailing;
    std::int64_t m_trailingLine = 0;
    /// The line of the last comma between elements.
    std::int64_t m_commaLine = 0;
    CommaFault m_faults[kFaultKinds] = {
        {"a comma is missing before this element of the JSON array; the "
         "element was read, but check how the file was made"},
        {"a comma in the JSON array has no element before it; it was "
         "skipped"},
        {"the JSON array ends with a comma before ']', which JSON does not "
         "allow; it was skipped"}};
};

/// Finds the first line start at or after `offset`.
std::int64_t lineStartAtOrAfter(const char *data, std::int64_t size,
                                std::int64_t offset)
{
    if (offset <= 0)
        return 0;
    if (offset >= size)
        return size;
    const void *newline =
        std::memchr(data + offset - 1, '\n', size - offset + 1);
    return newline ? static_cast<const char *>(newline) - data + 1 : size;
}

/// A memory map of a plain file and one chunk's bounds in it, cut at line
/// starts: the chunk owns the lines that start inside [chunk.begin,
/// chunk.end).
class MappedChunk {
public:
    MappedChunk(const InputFile &file, const Chunk &chunk, std::string &error)
        : m_file(file.path, error)
    {
        const auto size = static_cast<std::int64_t>(m_file.size());
        // Ranges and steps were cut from the size the scan first saw; a file
        // that changed since would be read in part without a word.
        if (error.empty() && size != file.size)
            error = "the file changed size since the scan opened it (" +
                    std::to_string(file.size) + " bytes, now " +
                    std::to_string(size) + ")";
        m_begin = lineStartAtOrAfter(m_file.data(), size, chunk.begin);
        m_end = lineStartAtOrAfter(m_file.data(), size, chunk.end);
    }

    const MappedFile &file() const { return m_file; }
    const char *data() const { return m_file.data(); }
    const char *readableEnd() const { return m_file.data() + m_file.size(); }
    std::int64_t begin() const { return m_begin; }
    std::int64_t end() const { return m_end; }

private:
    MappedFile m_file;
    std::int64_t m_begin = 0;
    std::int64_t m_end = 0;
};

ReadResult readMappedChunk(const InputFile &file, const Chunk &chunk,
                           const RecordSink &sink,
                           const std::atomic<bool> *cancel,
                           const ByteProgress &progress,
                           const StepStart &onStep, std::int64_t stepBytes)
{
    ReadResult result;
    std::string error;
    const MappedChunk mapped(file, chunk, error);
    if (!error.empty()) {
        result.error = "cannot read file: " + error;
        return result;
    }
    const auto size = static_cast<std::int64_t>(mapped.file().size());
    const std::int64_t begin = mapped.begin();
    const std::int64_t end = mapped.end();
    const char *readableEnd = mapped.readableEnd();

    LineSplitter splitter(sink);
    const std::int64_t step = stepBytes > 0 ? stepBytes : kDefaultStepBytes;
    for (std::int64_t pos = begin; pos < end;) {
        const std::int64_t stepEnd =
            lineStartAtOrAfter(mapped.data(), size, std::min(end, pos + step));
        if (onStep)
            onStep(pos, stepEnd, splitter.lines());
        if (!splitter.feed(mapped.data() + pos, stepEnd - pos, readableEnd,
                           cancel, result.records)) {
            result.cancelled = true;
            break;
        }
        // Keep the last page in case the next step's first line starts on it.
        mapped.file().release(pos, stepEnd - 4096);
        pos = std::max(stepEnd, pos + 1);
        if (progress)
            progress(pos - begin);
        if (pos < end && cancel && *cancel) {
            result.cancelled = true;
            break;
        }
    }
    result.lines = splitter.lines();
    return result;
}

} // namespace

ReadResult readMatchingLines(const InputFile &file, const Chunk &chunk,
                             const TextSearch &filter, const RecordSink &sink,
                             const std::atomic<bool> *cancel)
{
    ReadResult result;
    std::string error;
    const MappedChunk mapped(file, chunk, error);
    if (!error.empty()) {
        result.error = "cannot read file: " + error;
        return result;
    }
    return readMatchingInBlock(mapped.data() + mapped.begin(),
                               mapped.end() - mapped.begin(),
                               mapped.readableEnd(), filter, sink, cancel);
}

namespace {

ReadResult readMappedArray(const InputFile &file, const RecordSink &sink,
                           const std::atomic<bool> *cancel,
                           const ByteProgress &progress)
{
    ReadResult result;
    std::string error;
    MappedFile mapped(file.path, error);
    if (!error.empty()) {
        result.error = "cannot read file: " + error;
        return result;
    }
    ArraySplitter splitter(sink);
    constexpr std::size_t kStep = 4 << 20;
    for (std::size_t pos = 0; pos < mapped.size(); pos += kStep) {
        const std::size_t length = std::min(kStep, mapped.size() - pos);
        splitter.feed(mapped.data() + pos, length, result.records);
        if (progress)
            progress(static_cast<std::int64_t>(pos + length));
        if (pos + length < mapped.size() && cancel && *cancel) {
            result.cancelled = true;
            result.lines = splitter.lines();
            return result;
        }
    }
    result.error = splitter.finish();
    result.lines = splitter.lines();
    result.warnings = splitter.takeWarnings();
    return result;
}

ReadResult readGzipFile(const InputFile &file, const RecordSink &sink,
                        const std::atomic<bool> *cancel,
                        const ByteProgress &progress)
{
    ReadResult result;
    GzipBlockReader reader(file.path);
    LineSplitter lines(sink);
    ArraySplitter array(sink);
    const bool isArray = file.format.layout == RecordLayout::JsonArray;

    TextBlock block;
    // A cancel is checked before each block, so one that comes after the
    // last block leaves the file read whole.
    while (reader.next(block)) {
        if (cancel && *cancel) {
            result.cancelled = true;
            reader.stop();
            break;
        }
        if (isArray) {
            array.feed(block.buffer.data(), block.size, result.records);
        } else if (!lines.feed(block.buffer.data(), block.size,
                               block.buffer.data() + block.buffer.size(),
                               cancel, result.records)) {
            result.cancelled = true;
        }
        if (progress)
            progress(block.compressedBytesDone);
        reader.recycle(std::move(block));
        if (result.cancelled) {
            reader.stop();
            break;
        }
    }
    result.error = reader.error();
    if (isArray && result.error.empty() && !result.cancelled)
        result.error = array.finish();
    if (isArray)
        result.warnings = array.takeWarnings();
    result.lines = isArray ? array.lines() : lines.lines();
    return result;
}

} // namespace

InputFile probeInputFile(const std::string &path)
{
    InputFile file;
    file.path = path;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        file.openError = std::strerror(errno);
        return file;
    }
    if (!S_ISREG(info.st_mode)) {
        file.openError = "not a regular file";
        return file;
    }
    file.size = info.st_size;
    std::string error;
    if (!detectFileFormat(path, file.format, error))
        file.openError = error;
    return file;
}

std::vector<Chunk> planChunks(const std::vector<InputFile> &files, int threads,
                              std::int64_t chunkBytes)
{
    std::vector<Chunk> chunks;
    for (std::size_t index = 0; index < files.size(); ++index) {
        const InputFile &file = files[index];
        const bool splittable = file.openError.empty() && !file.format.gzip &&
                                file.format.layout == RecordLayout::Lines;
        if (!splittable) {
            chunks.push_back({index, 0, file.size, 0});
            continue;
        }
        // One range per thread: every extra range costs a merge of its id
        // table, which is serial work.
        const std::int64_t perThread =
            (file.size + std::max(1, threads) - 1) / std::max(1, threads);
        const std::int64_t target =
            chunkBytes > 0 ? chunkBytes : std::max(kMinChunkBytes, perThread);
        int part = 0;
        for (std::int64_t begin = 0; begin < file.size || part == 0;
             begin += target) {
            chunks.push_back(
                {index, begin, std::min(file.size, begin + target), part++});
            if (file.size == 0)
                break;
        }
    }
    return chunks;
}

bool readsAsBlocks(const InputFile &file)
{
    return file.openError.empty() && file.format.gzip &&
           file.format.layout == RecordLayout::Lines;
}

ReadResult readMatchingInBlock(const char *data, std::size_t size,
                               const char *readableEnd,
                               const TextSearch &filter, const RecordSink &sink,
                               const std::atomic<bool> *cancel)
{
    ReadResult result;
    LineSplitter splitter(sink);
    result.cancelled = !splitter.feedMatching(data, size, readableEnd, filter,
                                              cancel, result.records);
    return result;
}

ReadResult readBlock(const char *data, std::size_t size,
                     const char *readableEnd, const RecordSink &sink,
                     const std::atomic<bool> *cancel)
{
    ReadResult result;
    LineSplitter splitter(sink);
    result.cancelled =
        !splitter.feed(data, size, readableEnd, cancel, result.records);
    result.lines = splitter.lines();
    return result;
}

ReadResult readChunk(const InputFile &file, const Chunk &chunk,
                     const RecordSink &sink, const std::atomic<bool> *cancel,
                     const ByteProgress &progress, const StepStart &onStep,
                     std::int64_t stepBytes)
{
    if (!file.openError.empty()) {
        ReadResult result;
        result.error = "cannot read file: " + file.openError;
        return result;
    }
    if (file.format.gzip)
        return readGzipFile(file, sink, cancel, progress);
    if (file.format.layout == RecordLayout::JsonArray)
        return readMappedArray(file, sink, cancel, progress);
    return readMappedChunk(file, chunk, sink, cancel, progress, onStep,
                           stepBytes);
}

} // namespace hsi::detail

namespace hsi {

bool detectFileFormat(const std::string &path, FileFormat &format,
                      std::string &error)
{
    detail::FileDescriptor fd(path);
    if (fd.get() < 0) {
        error = std::strerror(errno);
        return false;
    }
    std::vector<char> head(detail::kSniffBytes);
    ssize_t count = ::read(fd.get(), head.data(), head.size());
    if (count < 0) {
        error = std::strerror(errno);
        return false;
    }
    if (auto unsupported = detail::unsupportedFormatError(
            {head.data(), static_cast<std::size_t>(count)})) {
        error = std::move(*unsupported);
        return false;
    }
    format.gzip = count >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
                  static_cast<unsigned char>(head[1]) == 0x8b;
    if (format.gzip) {
        if (detail::sniffGzipLayout(fd.get(), format.layout))
            return true;
        error = "the first " + std::to_string(detail::kMaxSniffedText >> 20) +
                " MiB of its text are blank, so whether it contains a JSON "
                "array or one event per line is unknown: remove the blank "
                "text at its start, then scan it again";
        return false;
    }
    // A file may start with more blank space than one read takes, so reading
    // goes on until the first character that is not blank.
    detail::LayoutSniffer sniffer;
    while (count > 0 &&
           !sniffer.feed(head.data(), static_cast<std::size_t>(count))) {
        count = ::read(fd.get(), head.data(), head.size());
        if (count < 0) {
            error = std::strerror(errno);
            return false;
        }
    }
    format.layout = sniffer.layout();
    return true;
}

ReadResult readRecords(const std::string &path, const RecordSink &sink,
                       const std::atomic<bool> *cancel,
                       const ByteProgress &progress)
{
    const detail::InputFile file = detail::probeInputFile(path);
    const detail::Chunk whole{0, 0, file.size, 0};
    return detail::readChunk(file, whole, sink, cancel, progress);
}

} // namespace hsi
