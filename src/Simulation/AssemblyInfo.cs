namespace Cloudwall.Rx.Simulation;
