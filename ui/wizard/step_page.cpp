#include "recovery_wizard.h"
#include "wizard_pages.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace hsi::ui {

StepPage::StepPage(RecoveryWizard *wizard)
    : m_wizard(wizard), m_content(new QVBoxLayout), m_status(new QLabel),
      m_progress(new QProgressBar),
      m_cancel(new QPushButton(QStringLiteral("Cancel step"))),
      m_cancelFlag(std::make_shared<std::atomic<bool>>(false))
{
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    auto *row = new QHBoxLayout;
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_content, 1);
    layout->addWidget(m_status);
    layout->addLayout(row);
    connect(m_cancel, &QPushButton::clicked, this, &StepPage::cancel);
}

StepPage::~StepPage()
{
    cancelAndWait();
}

bool StepPage::isComplete() const
{
    return m_done && !m_busy;
}

bool StepPage::validatePage()
{
    return isComplete();
}

void StepPage::cancel()
{
    *m_cancelFlag = true;
    if (m_cancelHook)
        m_cancelHook();
}

void StepPage::cancelAndWait()
{
    if (!m_busy || !m_waitForStep)
        return;
    cancel();
    m_waitForStep();
}

void StepPage::setBusy(bool busy, const QString &message)
{
    m_busy = busy;
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy) {
        m_progress->setRange(0, 0);
        setStatus(message);
    }
    emit completeChanged();
}

void StepPage::setDone(bool done)
{
    m_done = done;
    emit completeChanged();
}

void StepPage::setStatus(const QString &text)
{
    m_status->setText(text);
}

void StepPage::setProgress(std::int64_t done, std::int64_t total)
{
    if (total <= 0) {
        m_progress->setRange(0, 0);
        return;
    }
    // QProgressBar takes int; scale to per mille so that byte counts of
    // multi-gigabyte files fit.
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(done * 1000 / total));
}

void StepPage::postToPage(std::function<void()> update)
{
    QMetaObject::invokeMethod(this, std::move(update), Qt::QueuedConnection);
}

} // namespace hsi::ui
