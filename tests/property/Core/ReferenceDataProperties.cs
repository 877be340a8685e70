using Cloudwall.Rx.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Core;

/// <summary>
/// Interning any sequence of instruments, with repeats, against any cap agrees with a plain model: the first sighting of a key
/// takes the next id while there is room, a repeat returns the same instrument, a key past the cap is refused and counted,
/// and every id issued stays readable through the store's growth.
/// </summary>
public sealed class ReferenceDataProperties
{
    [Fact]
    public void Interning_agrees_with_a_model_of_dense_stable_ids_under_a_cap()
    {
        var gen =
            from cap in Gen.Choose(1, 300)
            from keys in Gen.Choose(0, 400).ListOf()
            select (cap, keys);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var refData = new ReferenceData(t.cap);
            var model = new Dictionary<int, int>();
            var refused = new HashSet<int>();
            var refusals = 0;
            foreach (var k in t.keys)
            {
                var ok = refData.TryIntern(InstrumentSpec.Spot($"K{k}", "USD"), out var inst);
                if (model.TryGetValue(k, out var id))
                {
                    Assert.True(ok);
                    Assert.Equal(id, inst.Id.Value);
                }
                else if (model.Count < t.cap)
                {
                    Assert.True(ok);
                    model[k] = inst.Id.Value;
                    Assert.Equal(model.Count, inst.Id.Value);
                }
                else
                {
                    Assert.False(ok);
                    refused.Add(k);
                    refusals++;
                }
            }

            Assert.Equal(model.Count, refData.Count);
            Assert.Equal(refusals, refData.RefusedInstruments);
            foreach (var (k, id) in model)
            {
                Assert.Equal($"K{k}-USD.SPOT", refData.Get(new InstrumentId(id)).Key);
            }

            Assert.All(refused, k => Assert.False(refData.TryGetByKey($"K{k}-USD.SPOT", out _)));
            Assert.Equal(model.Values.Order(), refData.Instruments.Select(i => i.Id.Value));
        }));
    }
}
