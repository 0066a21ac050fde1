#pragma once

#include <QLineEdit>
#include <QTimer>

namespace hsi::ui {

/// A line edit that emits textSettled() once typing has paused for
/// kDelayMs, so that filtering a million rows runs once per pause and not
/// once per key press. Return emits at once.
class DebouncedLineEdit : public QLineEdit {
    Q_OBJECT
public:
    static constexpr int kDelayMs = 300;

    explicit DebouncedLineEdit(QWidget *parent = nullptr) : QLineEdit(parent)
    {
        m_timer.setSingleShot(true);
        m_timer.setInterval(kDelayMs);
        setClearButtonEnabled(true);
        connect(this, &QLineEdit::textEdited, &m_timer,
                qOverload<>(&QTimer::start));
        connect(this, &QLineEdit::textChanged, this,
                [this](const QString &text) {
                    // The clear button changes the text without textEdited().
                    if (text.isEmpty())
                        m_timer.start();
                });
        connect(this, &QLineEdit::returnPressed, this,
                &DebouncedLineEdit::settleNow);
        connect(&m_timer, &QTimer::timeout, this,
                &DebouncedLineEdit::settleNow);
    }

signals:
    void textSettled(const QString &text);

private:
    void settleNow()
    {
        m_timer.stop();
        emit textSettled(text());
    }

    QTimer m_timer;
};

} // namespace hsi::ui
