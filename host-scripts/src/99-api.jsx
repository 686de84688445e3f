// The public surface, reached from the panel as `reenact.<name>(...)` through evalScript. Each entry returns the JSON
// envelope string {ok:true, value} or {ok:false, error:{code, message}} and never throws (types: bridge/src/api/host.ts).

var api = {
    version: VERSION,
    hostInfo: function () { return envelope(hostInfo, []); },
    getSelection: function () { return envelope(getSelection, []); },
    pickInputs: function () { return envelope(pickInputs, []); },
    listBatchLayers: function () { return envelope(listBatchLayers, []); },
    exportStill: function (layerIndex, time, outPath) { return envelope(exportStill, [layerIndex, time, outPath]); },
    finishExports: function (fromTask) { return envelope(finishExports, [fromTask]); },
    importResult: function (requestJson) { return envelope(importResult, [requestJson]); },
    addControls: function (layerIndex) { return envelope(addControls, [layerIndex]); },
    sampleControls: function (layerIndex, startTime, frameCount, fpsNum, fpsDen) {
        return envelope(sampleControls, [layerIndex, startTime, frameCount, fpsNum, fpsDen]);
    },
    readNeutralMarker: function (layerIndex) { return envelope(readNeutralMarker, [layerIndex]); },
    setNeutralMarker: function (layerIndex, time) { return envelope(setNeutralMarker, [layerIndex, time]); }
};
