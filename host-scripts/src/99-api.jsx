// The public surface, reached from the panel as `reenact.<name>(...)` through evalScript. Each entry returns the JSON
// envelope string {ok:true, value} or {ok:false, error:{code, message}} and never throws (types: bridge/src/api/host.ts).

var api = {
    version: VERSION,
    hostInfo: function () { return envelope(hostInfo, []); },
    getSelection: function () { return envelope(getSelection, []); },
    pickInputs: function () { return envelope(pickInputs, []); },
    listBatchLayers: function () { return envelope(listBatchLayers, []); },
    describeLayer: function (layerId) { return envelope(describeLayer, [layerId]); },
    exportStill: function (layerId, time, outPath) { return envelope(exportStill, [layerId, time, outPath]); },
    finishExports: function (fromTask) { return envelope(finishExports, [fromTask]); },
    importResult: function (requestJson) { return envelope(importResult, [requestJson]); },
    addControls: function (layerId) { return envelope(addControls, [layerId]); },
    sampleControls: function (layerId, startTime, frameCount, fpsNum, fpsDen) {
        return envelope(sampleControls, [layerId, startTime, frameCount, fpsNum, fpsDen]);
    },
    readNeutralMarker: function (layerId) { return envelope(readNeutralMarker, [layerId]); },
    setNeutralMarker: function (layerId, time) { return envelope(setNeutralMarker, [layerId, time]); }
};
