#pragma once

#include "hsi/report.h"
#include "permutation_model.h"

#include <QString>
#include <memory>
#include <vector>

namespace hsi::ui {

/// Read problems of a scan: bad lines and unreadable or incomplete files,
/// ids that look wrong, and events without a usable distinct_id or time.
class ProblemTableModel : public PermutationModel {
    Q_OBJECT
public:
    enum Column {
        SeverityColumn,
        FileColumn,
        LineColumn,
        MessageColumn,
        ColumnCount
    };

    /// One row of the table.
    struct Entry {
        Problem::Severity severity = Problem::Severity::Error;
        /// Empty for problems that belong to no single file.
        QString path;
        /// 0 when the problem has no line.
        qint64 line = 0;
        QString message;
    };

    using PermutationModel::PermutationModel;

    void setReport(const Report &report);
    /// Shows a single error for a scan that could not run at all.
    void setScanFailure(const QString &message);
    void clear();
    /// Keeps errors only, or every entry.
    void setErrorsOnly(bool errorsOnly);

    const Entry &entryAt(int row) const { return m_entries[sourceIndex(row)]; }
    int errorCount() const;
    int warningCount() const;
    /// Problems the scan counted but did not keep, beyond each file's list.
    std::int64_t unlistedCount() const { return m_unlisted; }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index,
                  int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::size_t sourceCount() const override { return m_entries.size(); }
    bool acceptsSource(std::uint32_t source) const override;
    void sortSources(std::vector<std::uint32_t> &rows, int column,
                     Qt::SortOrder order) const override;

private:
    void addInputEntries(const InputReport &input);
    void addIdEntries(const Report &report);

    std::vector<Entry> m_entries;
    std::int64_t m_unlisted = 0;
    bool m_errorsOnly = false;
};

} // namespace hsi::ui
