namespace Cloudwall.Rx.Ingestion;

/// <summary>Where a provider's handlers send what they could not use (the port; Hosting registers the one implementation).</summary>
public interface IDeadLetterSink
{
    /// <summary>Called from connection threads; must not block.</summary>
    void OnDeadLetter(DeadLetter letter);
}

/// <summary>Where connections report gaps in a venue's sequence numbers (the port; Hosting registers the one implementation).</summary>
public interface ISequenceGapSink
{
    /// <summary>Called from connection threads; must not block.</summary>
    void OnSequenceGap(SequenceGap gap);
}
